#include "util/size.hpp"

#include <charconv>

namespace srvd {

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    const std::string_view unit(end, text.data() + text.size() - end);
    unsigned shift;
    if (unit.empty() || unit == "B")
        shift = 0;
    else if (unit == "K")
        shift = 10;
    else if (unit == "M")
        shift = 20;
    else if (unit == "G")
        shift = 30;
    else
        return std::nullopt;
    if (value > (std::uint64_t{1} << (50 - shift))) return std::nullopt; // a petabyte is a typo
    return value << shift;
}

} // namespace srvd
