#include "util/duration.hpp"

#include <charconv>

namespace srvd {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    unsigned long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    std::string_view unit(end, text.data() + text.size() - end);
    unsigned long long ms_per_unit;
    if (unit.empty() || unit == "s")
        ms_per_unit = 1000;
    else if (unit == "ms")
        ms_per_unit = 1;
    else if (unit == "m")
        ms_per_unit = 60'000;
    else if (unit == "h")
        ms_per_unit = 3'600'000;
    else if (unit == "d")
        ms_per_unit = 86'400'000;
    else
        return std::nullopt;
    if (value > 365ULL * 24 * 3'600'000 / ms_per_unit) return std::nullopt;
    return std::chrono::milliseconds(value * ms_per_unit);
}

} // namespace srvd
