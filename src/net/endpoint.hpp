#pragma once
// Socket and Asio addresses → the engine's ClientAddress.
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

} // namespace srvd::net
