#pragma once
// Media servers' health applied to a proxy's ordering: the rule that takes
// a dead or drained server out of the answers and closes up its tier.
#include "config/zone_policy.hpp"
#include "health/server_health.hpp"

#include <vector>

namespace srvd::zone {

using health::ServerHealth;

// Whether two health vectors say the same (a missing entry is up).
bool same_health(const std::vector<ServerHealth>& a, const std::vector<ServerHealth>& b);

// The ordering clients get: down servers leave and the tiers close up;
// draining servers stay only when no server of the ordering is up. When
// nothing is left, the full ordering (serve_all) or nothing.
config::Ordering apply_health(const config::Ordering& ordering,
                              const std::vector<ServerHealth>& health, bool serve_all);

// When every media server of `zone` is down (or drained) in `health`: what
// its answers then do, for the log and `srvd ctl status`; null otherwise.
const char* all_down_fallback(const config::ZonePolicy& zone,
                              const std::vector<ServerHealth>& health);

} // namespace srvd::zone
