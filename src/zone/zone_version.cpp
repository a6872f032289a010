#include "zone/zone_version.hpp"

#include <algorithm>

namespace srvd::zone {
namespace {

// Canonical order, then TTL: ldns_rr_compare ignores TTLs, but a changed TTL
// must reach secondaries as a removed and an added record.
bool canonical_less(const ldns_rr* a, const ldns_rr* b) {
    const int c = ldns_rr_compare(a, b);
    return c != 0 ? c < 0 : ldns_rr_ttl(a) < ldns_rr_ttl(b);
}

// FNV-1a over the records' text: stable across runs and builds, which a
// std::hash need not be, since the digest is kept on disk.
std::uint64_t digest_of(const std::vector<const ldns_rr*>& records, const ldns_rr* soa) {
    std::uint64_t h = 1469598103934665603ull;
    auto mix = [&h](const std::string& text) {
        for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
        h = (h ^ '\n') * 1099511628211ull;
    };
    // The SOA without its serial: the serial is what the digest decides.
    for (std::size_t i = 0; i < ldns_rr_rd_count(soa); ++i)
        if (i != 2) mix(std::string(dns::rdf_bytes(ldns_rr_rdf(soa, i))));
    for (const ldns_rr* rr : records) mix(dns::rr_to_text(rr));
    return h;
}

} // namespace

std::shared_ptr<ZoneVersion> make_version(std::shared_ptr<const ZoneData> zone) {
    auto v = std::make_shared<ZoneVersion>();
    const ZoneView& view = zone->default_view();
    v->soa = view.soa;
    for (const auto& [name, node] : view.nodes)
        for (const auto& set : node.rrsets)
            for (const ldns_rr* rr : set.rrs)
                if (rr != view.soa) v->records.push_back(rr);
    std::sort(v->records.begin(), v->records.end(), canonical_less);
    v->serial = ldns_rdf2native_int32(ldns_rr_rdf(view.soa, 2));
    v->digest = digest_of(v->records, v->soa);
    v->owner = std::move(zone);
    return v;
}

std::shared_ptr<const Changeset> make_changeset(const ZoneVersion& from, const ZoneVersion& to) {
    auto c = std::make_shared<Changeset>();
    c->from_soa.reset(ldns_rr_clone(from.soa));
    c->to_soa.reset(ldns_rr_clone(to.soa));
    std::vector<const ldns_rr*> removed, added;
    std::set_difference(from.records.begin(), from.records.end(), to.records.begin(),
                        to.records.end(), std::back_inserter(removed), canonical_less);
    std::set_difference(to.records.begin(), to.records.end(), from.records.begin(),
                        from.records.end(), std::back_inserter(added), canonical_less);
    for (const ldns_rr* rr : removed) c->removed.emplace_back(ldns_rr_clone(rr));
    for (const ldns_rr* rr : added) c->added.emplace_back(ldns_rr_clone(rr));
    return c;
}

std::uint32_t Changeset::from_serial() const {
    return ldns_rdf2native_int32(ldns_rr_rdf(from_soa.get(), 2));
}

std::uint32_t Changeset::to_serial() const {
    return ldns_rdf2native_int32(ldns_rr_rdf(to_soa.get(), 2));
}

std::vector<const Changeset*> ZoneTransfer::changes_since(std::uint32_t serial) const {
    std::vector<const Changeset*> out;
    for (const auto& c : journal) {
        if (out.empty() && c->from_serial() != serial) continue;
        if (!out.empty() && c->from_serial() != out.back()->to_serial()) return {};
        out.push_back(c.get());
    }
    if (out.empty() || out.back()->to_serial() != current->serial) return {};
    return out;
}

bool serial_newer(std::uint32_t a, std::uint32_t b) {
    return a != b && static_cast<std::uint32_t>(a - b) < 0x80000000u;
}

} // namespace srvd::zone
