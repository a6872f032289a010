#include "health/health_table.hpp"

#include "health/probe.hpp"

#include <algorithm>

namespace srvd::health {

std::vector<ProbeTarget> probe_targets(const config::ZonePolicy& zone,
                                       const config::MediaServer& ms) {
    std::vector<ProbeTarget> out;
    if (!zone.health) return out;
    const config::HealthConfig& c = *zone.health;
    const auto address =
        boost::asio::ip::make_address(ms.probe_address ? *ms.probe_address : ms.addresses.front());
    for (config::Transport transport : c.transports_of(ms)) {
        ProbeTarget t;
        t.address = address;
        t.transport = transport;
        const ProbeKind kind = probe_kind(c, transport);
        t.port = ms.probe_ports.of(transport == config::Transport::udp && over_tcp(kind)
                                       ? config::Transport::tcp
                                       : transport);
        t.key = std::to_string(static_cast<int>(kind)) + "/" + config::transport_name(transport) +
                " " + t.address.to_string() + " " + std::to_string(t.port) + " " +
                std::to_string(c.interval_ms) + " " + std::to_string(c.timeout_ms) + " " +
                std::to_string(c.down_after) + " " + std::to_string(c.up_after) + " " +
                (c.serve_all_when_all_down ? "all" : "none");
        for (const auto& [low, high] : c.ok_codes)
            t.key += " " + std::to_string(low) + "-" + std::to_string(high);
        if (kind == ProbeKind::sip_options_tls) {
            const std::string apex =
                zone.zone == "." ? std::string() : zone.zone.substr(0, zone.zone.size() - 1);
            t.server_name =
                ms.tls_name ? *ms.tls_name : ms.label + (apex.empty() ? "" : ".") + apex;
            t.key += " " + t.server_name + " " + c.tls_ca_file;
        }
        // The first probe also reads the load (health.load): zones that read
        // it otherwise, or not at all, do not share its weight.
        if (c.load && out.empty()) {
            const config::LoadConfig& l = *c.load;
            t.key += " load " + ms.load_url + " " + l.header + " " + std::to_string(l.min_weight) +
                     "-" + std::to_string(l.max_weight) + " " + std::to_string(l.every_ms) + " " +
                     std::to_string(l.hysteresis) + " " + std::to_string(l.smoothing);
        }
        out.push_back(std::move(t));
    }
    return out;
}

ZoneTargets zone_targets(const config::ZonePolicy& zone) {
    ZoneTargets out;
    out.reserve(zone.media_servers.size());
    for (const auto& ms : zone.media_servers) out.push_back(probe_targets(zone, ms));
    return out;
}

std::vector<ServerState> HealthTable::states(const ZoneTargets& zone,
                                             std::span<const Assumed> assume) const {
    std::vector<ServerState> out;
    out.reserve(zone.size());
    for (const auto& targets : zone) {
        ServerState state;
        for (const ProbeTarget& t : targets) {
            ServerHealth h = ServerHealth::up;
            const auto given = std::find_if(assume.begin(), assume.end(),
                                            [&](const Assumed& a) { return a.first == t.key; });
            if (given != assume.end())
                h = given->second;
            else if (auto it = by_probe.find(t.key); it != by_probe.end())
                h = it->second;
            // The first probe speaks for the transports none covers.
            if (&t == &targets.front()) state = ServerState(h);
            state.set(t.transport, h);
        }
        if (!targets.empty())
            if (auto w = weights.find(targets.front().key); w != weights.end())
                state.weight = w->second;
        out.push_back(state);
    }
    return out;
}

} // namespace srvd::health
