#pragma once
// Builds the load-time model of a zone (zone_view.hpp) from its policy.
#include "zone/zone_view.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace srvd::zone {

// Expands and checks a policy: records parse, names lie inside the zone, no
// CNAME beside other data. Throws LoadError naming the policy line. With
// `health`, down servers leave the proxies' answers (see apply_health).
std::shared_ptr<ZoneData> build_zone(config::ZonePolicy policy,
                                     std::vector<ServerHealth> health = {});

// Sets the SOA serial of a zone not yet shared (`soa.serial: auto`).
void set_serial(ZoneData& zone, std::uint32_t serial);

} // namespace srvd::zone
