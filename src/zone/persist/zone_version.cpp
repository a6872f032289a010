#include "zone/persist/zone_version.hpp"

#include "dns/wire.hpp"
#include "dnssec/zone_signer.hpp"
#include "util/stable_hash.hpp"

#include <algorithm>

namespace srvd::zone {
namespace {

// A record's identity: owner (lowercased wire), type, each RDATA field with
// its length, then the TTL, so a changed TTL reads as a removed and an added
// record. Sorting by it is a total order that is cheap to compute; AXFR needs
// no particular order after the SOA, and IXFR needs only a consistent one.
std::string record_key(const ldns_rr* rr) {
    std::string k = dns::owner_key(rr);
    dns::append_uint(k, ldns_rr_get_type(rr), 2);
    for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        const std::string_view field = dns::rdf_bytes(ldns_rr_rdf(rr, i));
        dns::append_uint(k, field.size(), 2);
        k += field;
    }
    dns::append_uint(k, ldns_rr_ttl(rr), 4);
    return k;
}

} // namespace

std::shared_ptr<ZoneVersion> make_version(std::shared_ptr<const ZoneData> zone) {
    auto v = std::make_shared<ZoneVersion>();
    const ZoneView& view = zone->default_view();
    v->soa = view.soa;
    std::vector<std::pair<std::string, const ldns_rr*>> keyed;
    for (const auto& [name, node] : view.nodes)
        for (const auto& set : node.rrsets)
            for (const ldns_rr* rr : set.rrs)
                if (rr != view.soa) keyed.emplace_back(record_key(rr), rr);
    std::sort(keyed.begin(), keyed.end());
    // The digest covers every record and the SOA but for its serial: the
    // serial is what the digest decides.
    std::uint64_t digest = stable_hash(dns::owner_key(view.soa));
    for (std::size_t i = 0; i < ldns_rr_rd_count(view.soa); ++i)
        if (i != 2) digest = stable_hash(dns::rdf_bytes(ldns_rr_rdf(view.soa, i)), digest);
    digest = stable_hash(std::to_string(ldns_rr_ttl(view.soa)), digest);
    if (zone->keys)
        digest = stable_hash("signed " + std::to_string(zone->validity.inception) + " " +
                                 std::to_string(zone->validity.expiration),
                             digest);
    for (auto& [key, rr] : keyed) {
        digest = stable_hash(key, digest);
        v->records.push_back(rr);
        v->keys.push_back(std::move(key));
    }
    v->digest = digest;
    v->serial = ldns_rdf2native_int32(ldns_rr_rdf(view.soa, 2));
    v->owner = std::move(zone);
    return v;
}

void sign_version(ZoneVersion& v) {
    const ZoneData& zone = *v.owner;
    if (!zone.keys) return;
    v.signatures = dnssec::sign_zone(v.soa, v.records, zone.key_set, zone.validity);
    std::vector<std::pair<std::string, const ldns_rr*>> keyed;
    for (std::size_t i = 0; i < v.records.size(); ++i)
        keyed.emplace_back(std::move(v.keys[i]), v.records[i]);
    for (const auto& rr : v.signatures) keyed.emplace_back(record_key(rr.get()), rr.get());
    std::sort(keyed.begin(), keyed.end());
    v.records.clear();
    v.keys.clear();
    for (auto& [key, rr] : keyed) {
        v.records.push_back(rr);
        v.keys.push_back(std::move(key));
    }
}

std::shared_ptr<const Changeset> make_changeset(const ZoneVersion& from, const ZoneVersion& to) {
    auto c = std::make_shared<Changeset>();
    c->from_soa.reset(ldns_rr_clone(from.soa));
    c->to_soa.reset(ldns_rr_clone(to.soa));
    // A merge of the two sorted key lists.
    std::size_t i = 0, j = 0;
    while (i < from.keys.size() || j < to.keys.size()) {
        if (j == to.keys.size() || (i < from.keys.size() && from.keys[i] < to.keys[j]))
            c->removed.emplace_back(ldns_rr_clone(from.records[i++]));
        else if (i == from.keys.size() || to.keys[j] < from.keys[i])
            c->added.emplace_back(ldns_rr_clone(to.records[j++]));
        else
            ++i, ++j;
    }
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
