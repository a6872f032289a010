#pragma once
// The address a query came from, as the packet path carries it (no Asio
// object, no allocation), and how it is read from a socket address.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>

namespace srvd {

struct ClientAddress {
    std::uint8_t family = 0; // 4, 6, or 0 when unknown
    std::uint8_t bytes[16] = {};
};

inline ClientAddress client_address(const sockaddr* sa) {
    ClientAddress c;
    if (sa->sa_family == AF_INET) {
        c.family = 4;
        std::memcpy(c.bytes, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        c.family = 6;
        std::memcpy(c.bytes, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
    }
    return c;
}

} // namespace srvd
