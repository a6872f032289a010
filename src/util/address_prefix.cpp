#include "util/address_prefix.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

namespace srvd {

std::optional<AddressPrefix> parse_prefix(const std::string& text) {
    const auto slash = text.find('/');
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(text.substr(0, slash), ec);
    if (ec) return std::nullopt;
    AddressPrefix p{};
    p.family = address.is_v4() ? 4 : 6;
    const int width = address.is_v4() ? 32 : 128;
    int length = width;
    if (slash != std::string::npos) {
        const std::string digits = text.substr(slash + 1);
        if (digits.empty() || digits.size() > 3 ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return std::nullopt;
        length = std::stoi(digits);
        if (length > width) return std::nullopt;
    }
    p.length = static_cast<std::uint8_t>(length);
    if (address.is_v4()) {
        const auto b = address.to_v4().to_bytes();
        std::copy(b.begin(), b.end(), p.bytes);
    } else {
        const auto b = address.to_v6().to_bytes();
        std::copy(b.begin(), b.end(), p.bytes);
    }
    return p;
}

bool in_prefix(const ClientAddress& a, const AddressPrefix& p) noexcept {
    if (a.family != p.family) return false;
    for (std::uint8_t bit = 0; bit < p.length; ++bit) {
        const std::uint8_t mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
        if ((a.bytes[bit / 8] & mask) != (p.bytes[bit / 8] & mask)) return false;
    }
    return true;
}

} // namespace srvd
