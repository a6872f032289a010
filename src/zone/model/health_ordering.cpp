// How media servers' health changes the orderings phones get.
#include "zone/model/health_ordering.hpp"

#include <algorithm>

namespace srvd::zone {

bool same_health(const std::vector<ServerState>& a, const std::vector<ServerState>& b) {
    for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i)
        if ((i < a.size() ? a[i] : ServerState()) != (i < b.size() ? b[i] : ServerState()))
            return false;
    return true;
}

const char* all_down_fallback(const config::ZonePolicy& zone,
                              const std::vector<ServerState>& health) {
    if (zone.media_servers.empty() || health.size() < zone.media_servers.size()) return nullptr;
    for (std::size_t i = 0; i < zone.media_servers.size(); ++i)
        if (!health[i].is(ServerHealth::down)) return nullptr;
    return !zone.health || zone.health->serve_all_when_all_down
               ? "all down: serving all (fail-open, all_down: serve-all)"
               : "all down: serving none (all_down: serve-none)";
}

config::Ordering apply_health(const config::Ordering& ordering,
                              const std::vector<ServerState>& health, config::Transport transport,
                              bool serve_all) {
    auto state = [&](const config::TierMember& m) {
        return m.server < health.size() ? health[m.server].of(transport) : ServerHealth::up;
    };
    // In a tier of several, a weight load gives replaces the configured one.
    config::Ordering weighted = ordering;
    for (config::Tier& tier : weighted)
        if (tier.size() > 1)
            for (config::TierMember& m : tier)
                if (m.server < health.size() && health[m.server].weight)
                    m.weight = *health[m.server].weight;
    bool any_up = false;
    for (const config::Tier& tier : weighted)
        for (const config::TierMember& m : tier) any_up |= state(m) == ServerHealth::up;
    config::Ordering out;
    for (const config::Tier& tier : weighted) {
        config::Tier kept;
        for (const config::TierMember& m : tier) {
            const ServerHealth h = state(m);
            if (h == ServerHealth::up || (h == ServerHealth::draining && !any_up))
                kept.push_back(m);
        }
        if (!kept.empty()) out.push_back(std::move(kept));
    }
    if (out.empty() && serve_all) return weighted; // fail open
    return out;
}

} // namespace srvd::zone
