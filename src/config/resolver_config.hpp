#pragma once
// The operator's own resolvers (issue #28): when a media server's health
// or a drain changes answers, srvd tells each of them to drop the changed
// names from its cache, through the resolver's own control interface, so
// phones behind it see the failover at once instead of after the TTL.
// Named as each resolver names its settings (unbound.conf's
// control-interface and *-cert-file, the Recursor's webserver and api-key,
// kresd's control socket).
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace srvd::config {

class YamlReader;

enum class ResolverType { unbound, pdns_recursor, knot_resolver, command };

struct ResolverTarget {
    std::string name; // for logs, status and metrics
    ResolverType type = ResolverType::unbound;
    // unbound: `control` is ADDRESS:PORT (TCP) or an absolute socket path;
    // TLS when the three certificate files are set (control-use-cert: yes).
    // knot-resolver: `control` is its control socket's path.
    boost::asio::ip::tcp::endpoint endpoint; // unbound over TCP; pdns-recursor's webserver
    std::string socket_path;                 // unbound or knot-resolver over a UNIX socket
    std::string server_cert, control_cert, control_key;
    std::string api_key;                     // pdns-recursor
    std::vector<std::string> command;        // command: the names are appended as arguments
    std::chrono::milliseconds timeout{2000}; // per attempt
    std::uint32_t retries = 3;               // attempts after the first
    bool operator==(const ResolverTarget&) const = default;
};

// "unbound", "pdns-recursor", "knot-resolver", "command".
const char* resolver_type_name(ResolverType type);

// `resolvers:` of the server configuration; throws LoadError.
void read_resolvers(const YamlReader& r, const YAML::Node& node, std::vector<ResolverTarget>& out);

} // namespace srvd::config
