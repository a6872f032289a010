#pragma once
// Builds query packets with ldns, for `srvd explain` and the tests (never the
// packet path).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace srvd::dns {

struct ClientSubnet {
    std::uint8_t family; // 1: IPv4, 2: IPv6 (RFC 7871 FAMILY)
    std::uint8_t source; // SOURCE PREFIX-LENGTH
    std::uint8_t address[16];
};

// "198.51.100.0/24" or "2001:db8::/48"; nullopt when malformed.
std::optional<ClientSubnet> parse_client_subnet(const std::string& text);

struct QuerySpec {
    std::string name;
    std::uint16_t type = 1;
    std::uint16_t id = 0x1234;
    bool rd = false;
    bool edns = true;
    std::uint16_t payload = 1232;
    std::uint8_t edns_version = 0;
    bool dnssec_ok = false; // the DO bit (RFC 3225)
    std::optional<ClientSubnet> ecs;
};

// Throws std::runtime_error when the name is not a valid domain name.
std::vector<std::uint8_t> build_query(const QuerySpec& spec);

} // namespace srvd::dns
