#pragma once
// `srvd check --down SERVER...`: what the failure of media servers would
// change, before the maintenance window, from the configuration alone.
#include "zone/snapshot/snapshot.hpp"

#include <string>
#include <vector>

namespace srvd::cli {

// Prints every changed answer and every zone left with no server up, of
// the zones listing any of `down` (of `zones` only, when given); returns
// the exit status: 1 when a server of `down` is in no zone.
int failover_drill(const zone::Snapshot& snapshot, const std::vector<std::string>& down,
                   const std::vector<std::string>& zones);

} // namespace srvd::cli
