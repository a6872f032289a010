// The health monitor in process: real tcp-connect probes on a real
// io_context against loopback listeners the test opens and closes. Zones
// that list one media server at the same address share its probe and its
// state; a server that refuses goes down after down_after failures, one
// that stops listening too; configure() again keeps what was learnt; stop()
// ends the probing.
#include "health/health_monitor.hpp"
#include "support/test_support.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <optional>

using namespace srvd;
namespace asio = boost::asio;
using health::ServerHealth;

namespace {

std::string partner(const std::string& name, std::uint16_t shared, std::uint16_t own) {
    return "zone: " + name + "\nsoa: { primary: ns1." + name + ", contact: h." + name +
           ", serial: 1 }\nnameservers: { ns1: [192.0.2.1] }\n"
           "health: { probe: tcp-connect, interval: 50ms, timeout: 50ms, down_after: 2, "
           "up_after: 1 }\nmedia_servers:\n"
           "  shared: { addresses: [127.0.0.1], ports: { udp: " +
           std::to_string(shared) + ", tcp: " + std::to_string(shared) +
           " } }\n"
           "  own: { addresses: [127.0.0.1], ports: { udp: " +
           std::to_string(own) + ", tcp: " + std::to_string(own) +
           " } }\n"
           "proxies: { p: { targets: [shared, own] } }\n";
}

// A port nothing listens on: bound, then closed.
std::uint16_t closed_port(asio::io_context& io) {
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

} // namespace

TEST_CASE("health monitor: shared probes, down after down_after, kept across configure") {
    asio::io_context io;
    asio::ip::tcp::acceptor shared(io, {asio::ip::make_address("127.0.0.1"), 0});
    const std::uint16_t refused_a = closed_port(io), refused_b = closed_port(io);
    test::TempDir dir;
    dir.write("zones/a.example.yaml",
              partner("a.example", shared.local_endpoint().port(), refused_a));
    dir.write("zones/b.example.yaml",
              partner("b.example", shared.local_endpoint().port(), refused_b));
    const auto loaded = zone::load_all(dir.write("srvd.yaml", "zones: [zones]\n"));
    std::vector<const config::ZonePolicy*> zones;
    for (const auto& z : loaded.snapshot->zones) zones.push_back(&z.data->policy);
    REQUIRE(zones.size() == 2);

    int changes = 0;
    health::HealthMonitor monitor(io, [&] { ++changes; });
    monitor.configure(zones);
    // One probe for the shared server, one for each zone's own.
    CHECK(monitor.table().by_probe.size() == 3);
    const auto state = [&](int zone, int server) -> std::optional<health::ServerStatus> {
        const auto probes = monitor.status(*zones[zone], zones[zone]->media_servers[server]);
        if (probes.size() != 1) return std::nullopt;
        return probes.front();
    };
    const auto run_until = [&](auto done) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!done() && std::chrono::steady_clock::now() < end)
            io.run_for(std::chrono::milliseconds(10));
        return done();
    };
    REQUIRE(run_until([&] {
        return state(0, 1)->state == ServerHealth::down && state(1, 1)->state == ServerHealth::down;
    }));
    CHECK(state(0, 0)->state == ServerHealth::up);
    CHECK(state(0, 0)->probed);
    CHECK_FALSE(state(0, 1)->last_probe.empty()); // what the failed probe said
    CHECK(changes >= 1);
    CHECK(monitor.table().states(*zones[0]) ==
          std::vector<health::ServerState>{ServerHealth::up, ServerHealth::down});
    // One round trip per probe, named by the first zone that lists it: a
    // thousand partner zones sharing a server export one series, not a
    // thousand copies.
    int trips = 0;
    for (const auto& r : monitor.round_trips()) trips += r.server == "shared";
    CHECK(trips == 1);

    // The shared server stops listening: down in both zones at once.
    shared.close();
    REQUIRE(run_until([&] { return state(0, 0)->state == ServerHealth::down; }));
    CHECK(state(1, 0)->state == ServerHealth::down);

    // configure() again (a reload with the same servers): what was learnt stays.
    monitor.configure(zones);
    CHECK(state(0, 0)->state == ServerHealth::down);
    CHECK(state(0, 1)->state == ServerHealth::down);

    // stop(): no probe runs any more, so no state changes.
    monitor.stop();
    const int before = changes;
    io.run_for(std::chrono::milliseconds(300));
    CHECK(changes == before);
}
