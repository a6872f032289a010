#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace srvd {

// Parses a size in bytes: "512", "64K", "256M", "2G" (powers of 1024), as
// Knot's configuration writes them.
std::optional<std::uint64_t> parse_size(std::string_view text);

} // namespace srvd
