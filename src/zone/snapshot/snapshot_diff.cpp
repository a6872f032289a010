#include "zone/snapshot/snapshot_diff.hpp"

#include "dns/name.hpp"
#include "zone/persist/zone_version.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string_view>

namespace srvd::zone {
namespace {

std::set<std::string> names_of(const ZoneData& z) {
    std::set<std::string> out;
    for (const auto& [name, node] : z.default_view().nodes) out.insert(dns::name_to_text(name));
    return out;
}

std::set<std::string> regions_of(const ZoneData& z) {
    std::set<std::string> out;
    for (const auto& r : z.policy.regions) out.insert(r.name);
    return out;
}

// "added 3 (a, b, c)" style, at most a few names so a big reload stays one line.
std::string list(const char* what, const std::vector<std::string>& items) {
    std::string s = std::string(what) + " " + std::to_string(items.size()) + " (";
    for (std::size_t i = 0; i < items.size() && i < 5; ++i) s += (i ? ", " : "") + items[i];
    return s + (items.size() > 5 ? ", …)" : ")");
}

void compare(const std::string& prefix, const std::set<std::string>& a,
             const std::set<std::string>& b, std::vector<std::string>& out) {
    std::vector<std::string> added, removed;
    std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(added));
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(removed));
    if (!added.empty()) out.push_back(prefix + list("added", added));
    if (!removed.empty()) out.push_back(prefix + list("removed", removed));
}

// Proxies in both whose orderings (any region's) changed; their media
// servers compared by label, as indices may shift.
std::vector<std::string> orderings_changed(const config::ZonePolicy& a,
                                           const config::ZonePolicy& b) {
    std::vector<std::string> out;
    auto labels = [](const config::ZonePolicy& p, const config::Ordering& o) {
        std::vector<std::string> l;
        for (const auto& tier : o) {
            for (const auto& m : tier)
                l.push_back(p.media_servers[m.server].label + "/" + std::to_string(m.weight));
            l.push_back("|");
        }
        return l;
    };
    for (const auto& pb : b.proxies)
        for (const auto& pa : a.proxies) {
            if (pa.label != pb.label) continue;
            bool same = pa.orderings.size() == pb.orderings.size();
            for (std::size_t i = 0; same && i < pa.orderings.size(); ++i)
                same = labels(a, pa.orderings[i]) == labels(b, pb.orderings[i]);
            if (!same) out.push_back(pb.label);
        }
    return out;
}

// The records of the default view (as secondaries get them) that differ:
// their owners, and whether anything at all differs (the SOA's fields too).
bool records_changed(const std::shared_ptr<const ZoneData>& a,
                     const std::shared_ptr<const ZoneData>& b, std::size_t& added,
                     std::size_t& removed, std::vector<std::string>& owners) {
    const auto va = make_version(a), vb = make_version(b);
    std::set<std::string> changed;
    std::size_t i = 0, j = 0;
    while (i < va->keys.size() || j < vb->keys.size()) {
        if (j == vb->keys.size() || (i < va->keys.size() && va->keys[i] < vb->keys[j])) {
            changed.insert(dns::name_to_text(dns::owner_key(va->records[i++])));
            ++removed;
        } else if (i == va->keys.size() || vb->keys[j] < va->keys[i]) {
            changed.insert(dns::name_to_text(dns::owner_key(vb->records[j++])));
            ++added;
        } else {
            ++i, ++j;
        }
    }
    owners.assign(changed.begin(), changed.end());
    return va->digest != vb->digest;
}

} // namespace

Changes describe_changes(const Snapshot& before, const Snapshot& after) {
    Changes out;
    std::set<std::string> zones_before, zones_after;
    for (const auto& z : before.zones) zones_before.insert(z.data->policy.zone);
    for (const auto& z : after.zones) zones_after.insert(z.data->policy.zone);
    compare("zones ", zones_before, zones_after, out.lines);
    // By name, once: a reload of thousands of zones compares each to its own.
    std::map<std::string_view, std::shared_ptr<const ZoneData>> previous;
    for (const auto& b : before.zones) previous.emplace(b.data->policy.zone, b.data);
    for (const auto& z : after.zones) {
        const auto found = previous.find(z.data->policy.zone);
        if (found == previous.end() || found->second == z.data) continue; // new, or kept as it was
        const std::shared_ptr<const ZoneData>& old = found->second;
        const config::ZonePolicy& p = z.data->policy;
        const std::string prefix = "zone " + p.zone + ": ";
        const bool same_serial = old->policy.soa.serial == p.soa.serial;
        if (!same_serial)
            out.lines.push_back(prefix + "serial " + std::to_string(old->policy.soa.serial) +
                                " -> " + std::to_string(p.soa.serial));
        compare(prefix + "names ", names_of(*old), names_of(*z.data), out.lines);
        compare(prefix + "regions ", regions_of(*old), regions_of(*z.data), out.lines);
        std::size_t added = 0, removed = 0;
        std::vector<std::string> owners;
        const bool records = records_changed(old, z.data, added, removed, owners);
        if (added || removed)
            out.lines.push_back(prefix + "records " + std::to_string(added) + " added, " +
                                std::to_string(removed) + " removed, " + list("at", owners));
        else if (records)
            out.lines.push_back(prefix + "SOA fields changed");
        const auto proxies = orderings_changed(old->policy, p);
        if (!proxies.empty()) out.lines.push_back(prefix + list("orderings changed of", proxies));
        if (same_serial && !p.soa.serial_auto && (records || !proxies.empty()))
            out.warnings.push_back(p.file + ": zone " + p.zone +
                                   " changed but its soa.serial stays " +
                                   std::to_string(p.soa.serial) +
                                   ": secondaries keep the old data; raise the serial, or let srvd "
                                   "do it with `serial: auto`");
    }
    return out;
}

} // namespace srvd::zone
