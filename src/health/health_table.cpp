#include "health/health_table.hpp"

#include "health/probe.hpp"

namespace srvd::health {

ProbeTarget probe_target(const config::HealthConfig& c, const config::MediaServer& ms) {
    ProbeTarget t;
    t.address =
        boost::asio::ip::make_address(ms.probe_address ? *ms.probe_address : ms.addresses.front());
    const ProbeKind kind = probe_kind(c);
    const bool tcp = over_tcp(kind);
    t.port = tcp ? ms.ports.tcp : ms.ports.udp;
    t.key = std::to_string(static_cast<int>(kind)) + "/" + (tcp ? "tcp " : "udp ") +
            t.address.to_string() + " " + std::to_string(t.port) + " " +
            std::to_string(c.interval_ms) + " " + std::to_string(c.timeout_ms) + " " +
            std::to_string(c.down_after) + " " + std::to_string(c.up_after) + " " +
            (c.serve_all_when_all_down ? "all" : "none");
    for (const auto& [low, high] : c.ok_codes)
        t.key += " " + std::to_string(low) + "-" + std::to_string(high);
    return t;
}

std::vector<ServerHealth> HealthTable::states(const config::ZonePolicy& zone) const {
    std::vector<ServerHealth> out;
    for (const auto& ms : zone.media_servers) {
        auto it = zone.health ? by_probe.find(probe_target(*zone.health, ms).key) : by_probe.end();
        out.push_back(it == by_probe.end() ? ServerHealth::up : it->second);
    }
    return out;
}

} // namespace srvd::health
