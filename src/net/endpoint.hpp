#pragma once
// Socket and Asio addresses ↔ the engine's ClientAddress.
#include "engine/answer_engine.hpp"

#include <boost/asio/ip/address.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace srvd::net {

inline engine::ClientAddress client_address(const boost::asio::ip::address& a) {
    engine::ClientAddress c;
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

inline engine::ClientAddress client_address(const sockaddr* sa) {
    engine::ClientAddress c;
    if (sa->sa_family == AF_INET) {
        c.family = 4;
        std::memcpy(c.bytes, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        c.family = 6;
        std::memcpy(c.bytes, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
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

} // namespace srvd::net
