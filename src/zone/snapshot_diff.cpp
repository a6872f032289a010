#include "zone/snapshot_diff.hpp"

#include "dns/name.hpp"

#include <algorithm>
#include <iterator>
#include <set>

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

} // namespace

std::vector<std::string> describe_changes(const Snapshot& before, const Snapshot& after) {
    std::vector<std::string> out;
    std::set<std::string> zones_before, zones_after;
    for (const auto& z : before.zones) zones_before.insert(z.data->policy.zone);
    for (const auto& z : after.zones) zones_after.insert(z.data->policy.zone);
    compare("zones ", zones_before, zones_after, out);
    for (const auto& z : after.zones) {
        const ZoneData* old = before.find_zone(z.data->policy.zone);
        if (!old || old == z.data.get()) continue; // new, or kept as it was by the reload
        const std::string prefix = "zone " + z.data->policy.zone + ": ";
        if (old->policy.soa.serial != z.data->policy.soa.serial)
            out.push_back(prefix + "serial " + std::to_string(old->policy.soa.serial) + " -> " +
                          std::to_string(z.data->policy.soa.serial));
        compare(prefix + "names ", names_of(*old), names_of(*z.data), out);
        compare(prefix + "regions ", regions_of(*old), regions_of(*z.data), out);
    }
    return out;
}

} // namespace srvd::zone
