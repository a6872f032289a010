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
#include <string>
#include <vector>

namespace srvd::health {

// What a probe is: the address and port probed, and a key naming them and
// how they are probed. Zones that share a media server (partner zones
// including one platform file) share its probe and its state, rather than
// probing it once per zone.
struct ProbeTarget {
    boost::asio::ip::address address;
    std::uint16_t port = 0;
    std::string key;
};
ProbeTarget probe_target(const config::HealthConfig& health, const config::MediaServer& server);

struct HealthTable {
    std::map<std::string, ServerHealth> by_probe;

    // A zone's media servers in policy order: their probes' states, up
    // when not probed (no `health:`, or not yet configured).
    std::vector<ServerHealth> states(const config::ZonePolicy& zone) const;
};

} // namespace srvd::health
