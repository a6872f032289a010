#pragma once
// A point in time as ISO 8601 UTC text: "2026-12-02T04:22:13Z", or with
// milliseconds "2026-12-02T04:22:13.123Z" (log lines, ctl status).
#include <chrono>
#include <string>

namespace srvd {

std::string iso_time(std::chrono::system_clock::time_point t, bool milliseconds = false);

} // namespace srvd
