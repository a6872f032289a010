#pragma once
// Media servers' health applied to a proxy's ordering: the rule that takes
// a dead or drained server out of the answers and closes up its tier.
#include "config/zone_policy.hpp"
#include "health/server_health.hpp"

#include <vector>

namespace srvd::zone {

using health::ServerHealth;
using health::ServerState;

// Whether two health vectors say the same (a missing entry is up).
bool same_health(const std::vector<ServerState>& a, const std::vector<ServerState>& b);

// The ordering clients reaching the servers over `transport` get: servers
// down over it leave and the tiers close up; draining servers stay only
// when no server of the ordering is up. When nothing is left, the full
// ordering (serve_all) or nothing.
config::Ordering apply_health(const config::Ordering& ordering,
                              const std::vector<ServerState>& health, config::Transport transport,
                              bool serve_all);

// When every media server of `zone` is down (or drained) over every
// transport in `health`: what its answers then do, for the log and `srvd
// ctl status`; null otherwise.
const char* all_down_fallback(const config::ZonePolicy& zone,
                              const std::vector<ServerState>& health);

} // namespace srvd::zone
