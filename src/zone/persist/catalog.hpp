#pragma once
// The catalog zone (RFC 9432, version 2) srvd generates from the zones it
// serves, so secondaries that read catalogs (Knot, BIND) pick up a new
// partner zone without a change on their side.
#include "config/zone_policy.hpp"

#include <string>
#include <vector>

namespace srvd::zone {

// A policy for catalog `name` listing `members` (fully qualified names).
// Its serial is `auto`: it changes when a member is added or removed.
config::ZonePolicy catalog_policy(const std::string& name, const std::vector<std::string>& members);

} // namespace srvd::zone
