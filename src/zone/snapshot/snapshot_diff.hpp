#pragma once
// What a reload changed, for the log: zones, names and regions added or
// removed, records and orderings changed, compared on the load-time model
// (never on the packet path), on the change worker.
#include "zone/snapshot/snapshot.hpp"

#include <string>
#include <vector>

namespace srvd::zone {

struct Changes {
    // One line per change; empty when nothing changed.
    std::vector<std::string> lines;
    // Content changed under the same explicit serial: secondaries keep the
    // old data.
    std::vector<std::string> warnings;
};

Changes describe_changes(const Snapshot& before, const Snapshot& after);

} // namespace srvd::zone
