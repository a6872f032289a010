#pragma once
#include <chrono>
#include <optional>
#include <string_view>

namespace srvd {

// Parses "10s", "500ms", "2m", "1h", "14d" or a bare number of seconds, as NSD and Knot
// accept in their configuration files.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

} // namespace srvd
