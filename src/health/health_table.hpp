#pragma once
// The probes' verdicts as a value: one state per probe (a media server
// probed one way, however many zones list it). The monitor keeps it on the
// control thread and hands out copies; the change worker builds answers
// from a copy, so neither waits for the other.
#include "config/zone_policy.hpp"
#include "health/server_health.hpp"

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace srvd::health {

// What a probe is: the address, port and transport probed, the name a TLS
// probe sends, and a key naming all that and how it is probed. Zones that
// share a media server (partner zones including one platform file) share
// its probe and its state, rather than probing it once per zone.
struct ProbeTarget {
    boost::asio::ip::address address;
    std::uint16_t port = 0;
    config::Transport transport = config::Transport::udp;
    std::string server_name; // tls: SNI and the certificate's name
    std::string key;
};
// One per transport the server is probed over, the first deciding the
// transports no probe covers.
std::vector<ProbeTarget> probe_targets(const config::ZonePolicy& zone,
                                       const config::MediaServer& server);

// A zone's probes, per media server in policy order: what the states of its
// servers are read from (worked out once when asked for several states).
using ZoneTargets = std::vector<std::vector<ProbeTarget>>;
ZoneTargets zone_targets(const config::ZonePolicy& zone);

struct HealthTable {
    std::map<std::string, ServerHealth> by_probe;
    // Weights load gives (health.load), by the key of the server's first probe.
    std::map<std::string, std::uint16_t> weights;

    // A zone's media servers in policy order: their probes' states, up
    // when not probed (no `health:`, or not yet configured). `assume`: probes
    // whose state is taken as given (by key), as the standby prepares.
    using Assumed = std::pair<std::string, ServerHealth>;
    std::vector<ServerState> states(const config::ZonePolicy& zone,
                                    std::span<const Assumed> assume = {}) const {
        return states(zone_targets(zone), assume);
    }
    std::vector<ServerState> states(const ZoneTargets& zone,
                                    std::span<const Assumed> assume = {}) const;
};

} // namespace srvd::health
