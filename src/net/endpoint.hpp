#pragma once
// Socket addresses → the engine's ClientAddress.
#include "engine/answer_engine.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace srvd::net {

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
