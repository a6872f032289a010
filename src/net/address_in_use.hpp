#pragma once
// Whether another process already serves an address, found before srvd binds
// its own SO_REUSEPORT sockets there. SO_REUSEPORT lets every worker of one
// srvd share a port, but it would as readily let a second srvd (a stale one,
// one started by hand beside the service) join the port, and the kernel
// would then split queries between the two without a word.
#include <boost/asio/ip/udp.hpp>

#include <string>

namespace srvd::net {

// Empty when the address is free for UDP and TCP; otherwise why not, as
// "already served by another process" or the bind error.
std::string address_in_use(const boost::asio::ip::udp::endpoint& endpoint);

// Whether the endpoint's address is one of this host's (or a wildcard):
// false when binding it fails with EADDRNOTAVAIL. For `check`.
bool address_assigned(const boost::asio::ip::udp::endpoint& endpoint);

} // namespace srvd::net
