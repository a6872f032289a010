#pragma once
// "192.0.2.1:53" or "[2001:db8::1]:53": an address and port as logs, SIP
// headers and operators write them.
#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <string>

namespace srvd {

inline std::string host_port(const boost::asio::ip::address& a, std::uint16_t port) {
    std::string out = a.is_v6() ? '[' + a.to_string() + ']' : a.to_string();
    return out + ':' + std::to_string(port);
}

} // namespace srvd
