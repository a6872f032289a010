#pragma once
#include "config/load_error.hpp"
#include "config/resolver_config.hpp"
#include "config/transfer_config.hpp"
#include "util/address_prefix.hpp"

#include <boost/asio/ip/udp.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace srvd::config {

struct GeoIpFields {
    std::string continent = "continent/code";
    std::string country = "country/iso_code";
    std::string subdivision = "subdivisions/0/iso_code";
    std::string latitude = "location/latitude";
    std::string longitude = "location/longitude";
    bool operator==(const GeoIpFields&) const = default;
};

struct GeoIpConfig {
    std::string database; // absolute path
    bool ecs = true;
    bool ecs_private_use = false; // ecs_private: use (true) | fallback (false)
    GeoIpFields fields;
};

struct Limits {
    // 1232 is the DNS Flag Day 2020 value: fits a 1280-byte IPv6 MTU without fragments.
    std::uint16_t udp_payload = 1232;
    std::uint32_t tcp_clients = 1024;
    // Connections from one /24 (IPv4) or /56 (IPv6) at once: one client
    // cannot hold every slot (NSD's and dnsdist's per-client TCP caps).
    std::uint32_t tcp_clients_per_prefix = 64;
    std::chrono::milliseconds tcp_idle_timeout{10'000};
    // Queries signed per query (DNSSEC denials, wildcard proofs) a second:
    // for all clients, and for one TCP connection; 0: no limit. At ~30 us a
    // signature, 5,000 a second is a sixth of a core.
    std::uint32_t signatures_per_second = 5000;
    std::uint32_t signatures_per_tcp_client = 100;
    // Memory for zones prepared ahead for the next media server failure
    // (zone::Standby), so that it reaches answers in milliseconds: a
    // thousand partner zones take about 80 MiB per media server they share
    // (bench/README.md); 0: none prepared, every failure compiles.
    std::uint64_t standby_memory = std::uint64_t{512} << 20;
};

// Response rate limiting (see net/rate_limiter.hpp); off unless configured.
struct RrlConfig {
    std::uint32_t responses_per_second = 0; // 0: off
    std::uint32_t slip = 2;                 // 0: drop all; 1: truncate all; N: every Nth
    std::uint8_t ipv4_prefix = 24, ipv6_prefix = 56;
    std::vector<AddressPrefix> exempt;
    bool operator==(const RrlConfig&) const = default;
};

// The server configuration file, validated. Paths are absolute.
// Where serve, check, export, explain and ctl look without -c, as NSD
// (/etc/nsd/nsd.conf) and Knot (/etc/knot/knot.conf) do: the package's.
inline constexpr const char* default_config_path = "/etc/srvd/srvd.yaml";

struct ServerConfig {
    std::string file;
    std::vector<boost::asio::ip::udp::endpoint> listen;
    unsigned threads = 0; // 0: one worker per core
    std::vector<std::string> zone_files;
    std::optional<GeoIpConfig> geoip;
    Limits limits;
    std::string log_level = "info";
    std::optional<boost::asio::ip::udp::endpoint> metrics_listen;
    // Started as root, srvd binds its sockets and then runs as this user
    // (and group; default: the user's primary group), as NSD and Knot do.
    std::string user, group;
    // `control.socket`: the UNIX socket `srvd ctl` talks to (never a network
    // port), made before privileges are dropped, mode 0660, group `group:`.
    std::string control_socket = "/run/srvd/control.sock";
    // Who may use the control socket (mode 0660): this group, else `group:`
    // (or `user:`'s own). Who may drain a media server is an operator's choice.
    std::string control_group;
    RrlConfig rrl;
    TransferConfig transfer;
    // This instance's name in an anycast fleet, as NSD's and Knot's `nsid`:
    // the NSID option (RFC 5001) and id.server / hostname.bind CH TXT.
    std::string nsid;
    // Caches flushed when a health change or a drain changes answers.
    std::vector<ResolverTarget> resolvers;
};

// `path` relative to the directory of `base_file` (a configuration file).
std::string resolve_path(const std::string& base_file, const std::string& path);

// Parses "127.0.0.1:5300" or "[::1]:5300"; nullopt when malformed.
std::optional<boost::asio::ip::udp::endpoint> parse_endpoint(const std::string& text);

// Reads and validates the file and expands zone directories; throws LoadError.
ServerConfig load_server_config(const std::string& path);

} // namespace srvd::config
