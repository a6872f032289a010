#pragma once
// What a reload changed, for the log: zones, names and regions added or
// removed, compared on the load-time model (never on the packet path).
#include "zone/snapshot.hpp"

#include <string>
#include <vector>

namespace srvd::zone {

// One line per change; empty when nothing an operator would notice changed.
std::vector<std::string> describe_changes(const Snapshot& before, const Snapshot& after);

} // namespace srvd::zone
