#pragma once
// What the health checks last said of a media server (DESIGN §6). The zone
// builder orders answers by it; the monitor produces it.
#include "config/zone_policy.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace srvd::health {

enum class ServerHealth : std::uint8_t { up, down, draining };

// A media server's state per transport phones reach it over (udp, tcp, tls):
// each SRV set follows its own transport. A server probed one way, drained
// or assumed down has one state for all three, hence the implicit
// conversion. And its run-time weight.
struct ServerState {
    std::array<ServerHealth, 3> by_transport{ServerHealth::up, ServerHealth::up, ServerHealth::up};
    // Its weight in tiers of several as its load makes it (health.load);
    // nullopt: the configured weights.
    std::optional<std::uint16_t> weight;
    constexpr ServerState() = default;
    constexpr ServerState(ServerHealth all) : by_transport{all, all, all} {}
    ServerHealth of(config::Transport t) const { return by_transport[static_cast<int>(t)]; }
    void set(config::Transport t, ServerHealth h) { by_transport[static_cast<int>(t)] = h; }
    // The same state over every transport.
    bool is(ServerHealth h) const {
        return std::all_of(by_transport.begin(), by_transport.end(),
                           [h](ServerHealth s) { return s == h; });
    }
    bool operator==(const ServerState&) const = default;
};

} // namespace srvd::health
