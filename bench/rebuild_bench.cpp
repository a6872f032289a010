// The cost of a health change, in stages: the zones that list a media
// server rebuilt with it down (build_zone), their answers compiled
// (compile_zone, inside compile_snapshot) and the snapshot assembled — what
// the change worker does between a probe's verdict and the publish.
//
//   rebuild_bench CONFIG SERVER [ROUNDS]
//
// Loads the configuration as `serve` does, then ROUNDS times takes SERVER
// down in every zone that lists it and back up, printing the time of each
// stage (medians).
#include "zone/health_ordering.hpp"
#include "zone/snapshot_loader.hpp"
#include "zone/zone_builder.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

using namespace srvd;
using Clock = std::chrono::steady_clock;
using health::ServerHealth;

namespace {

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: rebuild_bench CONFIG SERVER [ROUNDS]\n";
        return 2;
    }
    const std::string server = argv[2];
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 5;
    auto loaded = zone::load_all(argv[1]);
    std::shared_ptr<const zone::Snapshot> current = loaded.snapshot;
    std::vector<double> build_ms, snapshot_ms, total_ms;
    std::size_t rebuilt = 0;
    for (int r = 0; r < rounds * 2; ++r) {
        const bool down = r % 2 == 0;
        const auto start = Clock::now();
        std::vector<std::shared_ptr<const zone::ZoneData>> zones;
        rebuilt = 0;
        for (const auto& z : current->zones) {
            const auto& p = z.data->policy;
            std::vector<ServerHealth> states(p.media_servers.size(), ServerHealth::up);
            for (std::size_t i = 0; i < p.media_servers.size(); ++i)
                if (down && p.media_servers[i].label == server) states[i] = ServerHealth::down;
            if (zone::same_health(z.data->health, states)) {
                zones.push_back(z.data);
                continue;
            }
            zones.push_back(zone::build_zone(p, std::move(states), z.data.get()));
            ++rebuilt;
        }
        const double built = ms_since(start);
        const auto assemble = Clock::now();
        zone::SnapshotOptions o;
        o.recompile_of = current.get();
        current = zone::compile_snapshot(std::move(zones), o);
        build_ms.push_back(built);
        snapshot_ms.push_back(ms_since(assemble));
        total_ms.push_back(ms_since(start));
    }
    // The snapshot assembled from zones all compiled already: the part of
    // the second stage that does not depend on how many zones changed.
    std::vector<double> assemble_ms;
    for (int r = 0; r < rounds; ++r) {
        const auto start = Clock::now();
        std::vector<std::shared_ptr<const zone::ZoneData>> zones;
        for (const auto& z : current->zones) zones.push_back(z.data);
        zone::SnapshotOptions o;
        o.recompile_of = current.get();
        current = zone::compile_snapshot(std::move(zones), o);
        assemble_ms.push_back(ms_since(start));
    }
    std::printf(
        "%zu of %zu zones rebuilt per change (%s down, then up), %d rounds, medians:\n"
        "  build_zone %.1f ms, compile + assemble the snapshot %.1f ms (assembling alone %.1f ms),"
        " total %.1f ms\n",
        rebuilt, current->zones.size(), server.c_str(), rounds, median(build_ms),
        median(snapshot_ms), median(assemble_ms), median(total_ms));
}
