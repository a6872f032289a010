#pragma once
// What the health checks last said of a media server (DESIGN §6). The zone
// builder orders answers by it; the monitor produces it.
#include <cstdint>

namespace srvd::health {

enum class ServerHealth : std::uint8_t { up, down, draining };

} // namespace srvd::health
