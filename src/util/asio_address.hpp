#pragma once
// ClientAddress to and from Asio addresses: for configuration, logs and
// explain, off the packet path.
#include "util/client_address.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>

namespace srvd {

inline ClientAddress client_address(const boost::asio::ip::address& a) {
    ClientAddress c;
    if (a.is_v4()) {
        c.family = 4;
        const auto b = a.to_v4().to_bytes();
        std::copy(b.begin(), b.end(), c.bytes);
    } else {
        c.family = 6;
        const auto b = a.to_v6().to_bytes();
        std::copy(b.begin(), b.end(), c.bytes);
    }
    return c;
}

// 4 or 16 bytes in network order → an Asio address (for logs and explain).
inline boost::asio::ip::address address_of(bool v6, const std::uint8_t* bytes) {
    if (!v6) {
        boost::asio::ip::address_v4::bytes_type b;
        std::copy(bytes, bytes + 4, b.begin());
        return boost::asio::ip::address_v4(b);
    }
    boost::asio::ip::address_v6::bytes_type b;
    std::copy(bytes, bytes + 16, b.begin());
    return boost::asio::ip::address_v6(b);
}

} // namespace srvd
