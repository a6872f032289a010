#include "net/address_in_use.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace srvd::net {

namespace {

// Binds a socket of `type` without SO_REUSEPORT and closes it again. The
// bind fails with EADDRINUSE when any socket already holds the address (or
// its wildcard), with or without SO_REUSEPORT: the test NSD's and Knot's
// plain bind makes. TCP sets SO_REUSEADDR, as srvd's listeners do, so a
// restart is not refused over connections left in TIME_WAIT; a listening
// socket still refuses it.
int probe(const boost::asio::ip::udp::endpoint& endpoint, int type) {
    const int fd = ::socket(endpoint.address().is_v6() ? AF_INET6 : AF_INET, type, 0);
    if (fd < 0) return errno;
    int one = 1;
    if (type == SOCK_STREAM) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (endpoint.address().is_v6()) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    const int error =
        ::bind(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size())) == 0 ? 0 : errno;
    ::close(fd);
    return error;
}

} // namespace

bool address_assigned(const boost::asio::ip::udp::endpoint& endpoint) {
    const boost::asio::ip::udp::endpoint any_port(endpoint.address(), 0);
    return probe(any_port, SOCK_DGRAM) != EADDRNOTAVAIL;
}

std::string address_in_use(const boost::asio::ip::udp::endpoint& endpoint) {
    for (const int type : {SOCK_DGRAM, SOCK_STREAM}) {
        const int error = probe(endpoint, type);
        if (error == EADDRINUSE) return "already served by another process";
        if (error != 0)
            return std::string(type == SOCK_DGRAM ? "udp: " : "tcp: ") + std::strerror(error);
    }
    return {};
}

} // namespace srvd::net
