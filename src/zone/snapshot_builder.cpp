// Compiles zone views into the wire-format answers of a Snapshot.
#include "dns/name.hpp"
#include "dns/wire.hpp"
#include "zone/snapshot.hpp"
#include "zone/zone_lookup.hpp"

#include <algorithm>
#include <set>

namespace srvd::zone {
namespace {

class SnapshotBuilder {
public:
    explicit SnapshotBuilder(Snapshot& s) : s_(s) {}

    void add_zone(std::uint32_t zone_index, const ZoneData& zone,
                  std::vector<std::string>& names) {
        const ZoneView& view0 = zone.views.front();
        for (const auto& [name, node] : view0.nodes) {
            if (taken_.count(name)) continue; // a deeper zone already owns the name
            taken_.insert(name);
            Node n{};
            n.zone = zone_index;
            n.exact_begin = static_cast<std::uint32_t>(s_.entries.size());
            add_exact_entries(zone, name);
            n.exact_count = static_cast<std::uint16_t>(s_.entries.size() - n.exact_begin);
            n.below_begin = static_cast<std::uint32_t>(s_.entries.size());
            add_below_entries(zone, name);
            n.below_count = static_cast<std::uint16_t>(s_.entries.size() - n.below_begin);
            s_.nodes.push_back(n);
            names.push_back(name);
        }
    }

private:
    Snapshot& s_;
    std::set<std::string, std::less<>> taken_;

    static dns::CompiledMessage compile(const ZoneView& view, std::string_view qname,
                                        std::uint16_t qtype, bool exact, std::string_view anchor) {
        LookupResult r = lookup(view, qname, qtype);
        auto w = exact ? dns::MessageWriter::for_name(qname) : dns::MessageWriter::for_names_below(anchor);
        for (int section = 0; section < 3; ++section)
            for (const LookupItem& item : r.sections[section]) {
                for (const ldns_rr* rr : item.set->rrs)
                    w.add(static_cast<dns::Section>(section), rr, item.owner_is_qname, item.owner,
                          item.ttl);
                if (section == 2) w.end_additional_rrset();
            }
        return w.finish(r.rcode, r.authoritative);
    }

    std::uint32_t store(const dns::CompiledMessage& m) {
        Answer a{};
        a.blob_offset = static_cast<std::uint32_t>(s_.bytes.size());
        a.blob_length = static_cast<std::uint16_t>(m.blob.size());
        std::copy(std::begin(m.counts), std::end(m.counts), a.counts);
        a.rcode = m.rcode;
        a.authoritative = m.authoritative;
        a.cuts_begin = static_cast<std::uint32_t>(s_.cuts.size());
        a.cuts_count = static_cast<std::uint16_t>(m.cuts.size());
        a.patches_begin = static_cast<std::uint32_t>(s_.patches.size());
        a.patches_count = static_cast<std::uint16_t>(m.patches.size());
        s_.bytes += m.blob;
        s_.cuts.insert(s_.cuts.end(), m.cuts.begin(), m.cuts.end());
        s_.patches.insert(s_.patches.end(), m.patches.begin(), m.patches.end());
        s_.answers.push_back(a);
        return static_cast<std::uint32_t>(s_.answers.size() - 1);
    }

    // One entry; the answer is stored once when every region gets the same.
    void add_entry(const ZoneData& zone, std::string_view name, std::uint16_t qtype) {
        std::vector<dns::CompiledMessage> per_view;
        for (const ZoneView& view : zone.views) per_view.push_back(compile(view, name, qtype, true, {}));
        const bool same = std::all_of(per_view.begin(), per_view.end(),
                                      [&](const auto& m) { return m == per_view.front(); });
        TypeEntry e{qtype, static_cast<std::uint16_t>(same ? 1 : per_view.size()),
                    static_cast<std::uint32_t>(s_.answers.size())};
        for (std::size_t v = 0; v < (same ? 1 : per_view.size()); ++v) store(per_view[v]);
        s_.entries.push_back(e);
    }

    // The types worth an entry of their own at `name`: those present there,
    // and those at the end of a CNAME chain starting there.
    static std::set<std::uint16_t> types_at(const ZoneView& view, std::string_view name) {
        std::set<std::uint16_t> types;
        if (auto cut = find_cut(view, name)) {
            if (*cut == name) types.insert(dns::type::DS);
            return types;
        }
        std::string at(name);
        for (int hops = 0; hops < 8; ++hops) {
            const ViewNode* node = view.find(at);
            if (!node) break;
            for (const auto& set : node->rrsets) types.insert(set.type);
            const RRset* cname = node->find(dns::type::CNAME);
            if (!cname) break;
            const ldns_rdf* target = ldns_rr_rdf(cname->rrs.front(), 0);
            at = dns::lowercase({reinterpret_cast<const char*>(ldns_rdf_data(target)),
                                 ldns_rdf_size(target)});
        }
        types.insert(dns::type::ANY);
        return types;
    }

    void add_exact_entries(const ZoneData& zone, const std::string& name) {
        for (std::uint16_t t : types_at(zone.views.front(), name)) add_entry(zone, name, t);
        add_entry(zone, name, 0);
    }

    // Names below `name` that do not exist: looked up as "*.name", which
    // finds the wildcard if there is one, the NXDOMAIN or the referral if not.
    void add_below_entries(const ZoneData& zone, const std::string& name) {
        const ZoneView& view = zone.default_view();
        const std::string wildcard = std::string("\x01*", 2) + name;
        if (name.size() + 2 > dns::max_name_size) return; // nothing can lie below
        std::set<std::uint16_t> types;
        if (view.find(wildcard)) types = types_at(view, wildcard);
        for (std::uint16_t t : types)
            s_.entries.push_back({t, 1, store(compile(view, wildcard, t, false, name))});
        s_.entries.push_back({0, 1, store(compile(view, wildcard, 0, false, name))});
    }
};

} // namespace

const ZoneData* Snapshot::find_zone(std::string_view name_text) const {
    auto wire = dns::name_from_text(name_text);
    if (!wire) return nullptr;
    const std::string key = dns::lowercase(*wire);
    for (const auto& z : zones)
        if (z.data->apex == key) return z.data.get();
    return nullptr;
}

std::size_t Snapshot::memory() const {
    return bytes.capacity() + answers.capacity() * sizeof(Answer) +
           entries.capacity() * sizeof(TypeEntry) + cuts.capacity() * sizeof(dns::Cut) +
           patches.capacity() * sizeof(dns::Patch) + nodes.capacity() * sizeof(Node) + names.memory();
}

std::shared_ptr<const Snapshot> compile_snapshot(std::vector<std::shared_ptr<const ZoneData>> zones,
                                                 std::uint16_t udp_payload) {
    // Deeper zones first, so a child zone served here owns its apex name
    // rather than the parent's delegation.
    std::stable_sort(zones.begin(), zones.end(), [](const auto& a, const auto& b) {
        return dns::label_count(a->apex) > dns::label_count(b->apex);
    });
    for (std::size_t i = 0; i < zones.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (zones[i]->apex == zones[j]->apex)
                throw LoadError(zones[i]->policy.zone_mark,
                                "zone " + zones[i]->policy.zone + " is already loaded from " +
                                    zones[j]->policy.file);
    auto s = std::make_shared<Snapshot>();
    s->udp_payload = udp_payload;
    SnapshotBuilder builder(*s);
    std::vector<std::string> names;
    for (std::uint32_t i = 0; i < zones.size(); ++i) {
        s->zones.push_back({zones[i], static_cast<std::uint16_t>(zones[i]->policy.default_view())});
        builder.add_zone(i, *zones[i], names);
    }
    s->names = NameTable(names);
    return s;
}

} // namespace srvd::zone
