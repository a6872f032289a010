#pragma once
// What loads but will bite later: a configuration that serves nothing, a
// GeoIP policy without a database, serials kept where nobody said. `check`
// prints these; `serve` and reloads log them at warning level.
#include "zone/snapshot/snapshot_loader.hpp"

#include <string>
#include <vector>

namespace srvd::zone {

std::vector<std::string> load_warnings(const Loaded& loaded);

} // namespace srvd::zone
