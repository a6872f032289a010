#include "explain/failover_drill.hpp"

#include "dns/ldns_owned.hpp"
#include "dns/name.hpp"
#include "zone/model/answer_diff.hpp"
#include "zone/model/health_ordering.hpp"
#include "zone/model/zone_builder.hpp"

#include <algorithm>
#include <set>

namespace srvd::explain {
namespace {

std::string joined(const std::vector<std::string>& records) {
    if (records.empty()) return "(none)";
    std::string out;
    for (const auto& r : records) out += (out.empty() ? "" : ", ") + r;
    return out;
}

bool chosen(const zone::ZoneData& z, const std::vector<std::string>& zones) {
    if (zones.empty()) return true;
    return std::any_of(zones.begin(), zones.end(), [&](const std::string& name) {
        const auto wire = dns::name_from_text(name);
        return wire && dns::lowercase(*wire) == z.apex;
    });
}

} // namespace

bool drill(std::ostream& out, const zone::Snapshot& snapshot, const std::vector<std::string>& down,
           const std::vector<std::string>& zones, std::string& error) {
    std::set<std::string> unknown(down.begin(), down.end());
    for (const auto& entry : snapshot.zones)
        for (const auto& server : entry.data->policy.media_servers) unknown.erase(server.label);
    if (!unknown.empty()) {
        error = "--down " + *unknown.begin() + ": no such media server in any zone";
        return false;
    }
    std::size_t changed = 0, zones_changed = 0;
    for (const auto& entry : snapshot.zones) {
        const zone::ZoneData& z = *entry.data;
        const auto& servers = z.policy.media_servers;
        // The states the zone is served with (all up when only loaded).
        std::vector<zone::ServerState> states = z.health;
        states.resize(servers.size());
        bool listed = false;
        for (std::size_t i = 0; i < servers.size(); ++i)
            if (std::find(down.begin(), down.end(), servers[i].label) != down.end()) {
                states[i] = zone::ServerHealth::down;
                listed = true;
            }
        if (!listed || !chosen(z, zones)) continue;
        const auto after = zone::build_zone(z.policy, states, &z);
        const auto changes = zone::answer_changes(z, *after);
        // One line per change, with the regions it happens in.
        std::vector<std::pair<std::string, std::vector<std::string>>> lines;
        for (const auto& c : changes) {
            std::string line =
                c.name + " " +
                dns::owned_text(ldns_rr_type2str(static_cast<ldns_rr_type>(c.type))) + ": " +
                joined(c.before) + " -> " + joined(c.after);
            auto it = std::find_if(lines.begin(), lines.end(),
                                   [&](const auto& l) { return l.first == line; });
            if (it == lines.end()) it = lines.insert(lines.end(), {std::move(line), {}});
            if (!c.region.empty()) it->second.push_back(c.region);
        }
        for (const auto& [line, regions] : lines)
            out << "zone " << z.policy.zone << ": "
                << (regions.empty() ? "" : "[" + joined(regions) + "] ") << line << "\n";
        if (const char* fallback = zone::all_down_fallback(z.policy, states))
            out << "zone " << z.policy.zone << ": no media server left up: " << fallback << "\n";
        changed += changes.size();
        zones_changed += !changes.empty();
    }
    out << changed << " answer(s) (name, type, region) would change in " << zones_changed
        << " zone(s); nothing was changed\n";
    return true;
}

bool parse_drill_words(const std::vector<std::string>& words, std::vector<std::string>& down,
                       std::vector<std::string>& zones, std::string& error) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (words[i] == "--down" && i + 1 < words.size() && words[i + 1].rfind("--", 0) != 0)
            down.push_back(words[++i]);
        else if (words[i].rfind("--", 0) != 0)
            zones.push_back(words[i]);
        else
            break;
    }
    if (!down.empty() && down.size() * 2 + zones.size() == words.size()) return true;
    error = "expected --down SERVER [--down SERVER]... [ZONE]...";
    return false;
}

} // namespace srvd::explain
