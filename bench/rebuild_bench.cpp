// The cost of a health change, in stages: the zones that list a media
// server rebuilt with it down (build_zone), their answers compiled
// (compile_zone, inside compile_snapshot) and the snapshot assembled — what
// the change worker does between a probe's verdict and the publish.
//
//   rebuild_bench CONFIG SERVER [ROUNDS]
//
// Loads the configuration as `serve` does, then ROUNDS times takes SERVER
// down in every zone that lists it and back up, printing the time of each
// stage (medians). Then the same change with the zones prepared ahead
// (zone::Standby, as the change worker fills it while idle): the time to
// prepare them, what they take in memory, and the change then.
#include "zone/model/health_ordering.hpp"
#include "zone/model/zone_builder.hpp"
#include "zone/snapshot/snapshot_loader.hpp"
#include "zone/snapshot/standby.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include <iostream>
#include <malloc.h>

using namespace srvd;
using Clock = std::chrono::steady_clock;
using health::ServerHealth;

namespace {

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Every media server labelled `server` down, the others up.
std::vector<health::ServerState> down_states(const zone::ZoneData& z, const std::string& server) {
    const auto& servers = z.policy.media_servers;
    std::vector<health::ServerState> states(servers.size());
    for (std::size_t i = 0; i < servers.size(); ++i)
        if (servers[i].label == server) states[i] = ServerHealth::down;
    return states;
}

// Heap bytes in use (freed memory malloc keeps does not count, as RSS would).
long heap_kib() {
    return static_cast<long>(::mallinfo2().uordblks / 1024);
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
            auto states = down_states(*z.data, down ? server : std::string());
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

    std::vector<double> prepare_ms, standby_ms;
    std::size_t standby_bytes = 0;
    long heap_growth = 0;
    for (int r = 0; r < rounds; ++r) {
        const long heap_before = heap_kib();
        auto start = Clock::now();
        zone::Standby standby;
        for (const auto& z : current->zones) {
            const auto states = down_states(*z.data, server);
            if (zone::same_health(z.data->health, states)) continue;
            auto data = zone::build_zone(
                z.data->policy,
                {.health = states, .signed_as = z.data.get(), .served = z.data.get()});
            auto compiled = zone::compile_zone(*data, z.compiled.get());
            standby.add(z.data, {std::move(data), std::move(compiled)});
        }
        prepare_ms.push_back(ms_since(start));
        standby_bytes = standby.memory();
        if (r == 0) heap_growth = heap_kib() - heap_before;
        // As in srvd, whose change worker hands freed memory back to the
        // system after each change (malloc_trim): the change then starts
        // with fresh pages to fault in, which on this VM costs more than the
        // work itself did in memory freed just before.
        ::malloc_trim(0);
        // The change itself, as Control::rebuild makes it from the standby.
        start = Clock::now();
        std::vector<std::shared_ptr<const zone::ZoneData>> zones;
        std::vector<zone::ZoneEntry> ahead;
        for (const auto& z : current->zones) {
            const auto states = down_states(*z.data, server);
            const zone::ZoneEntry* ready = standby.find(*z.data, states);
            if (ready) ahead.push_back(*ready);
            zones.push_back(ready ? ready->data : z.data);
        }
        zone::SnapshotOptions o;
        o.recompile_of = current.get();
        o.compiled_ahead = &ahead;
        auto changed = zone::compile_snapshot(std::move(zones), o);
        standby_ms.push_back(ms_since(start));
        if (ahead.size() != rebuilt) {
            std::fprintf(stderr, "standby had %zu of %zu zones\n", ahead.size(), rebuilt);
            return 1;
        }
    }
    std::printf("  prepared ahead: %.1f ms to prepare (idle time), about %.1f MiB (the heap grew"
                " %.1f MiB); the change then %.1f ms\n",
                median(prepare_ms), static_cast<double>(standby_bytes) / (1 << 20),
                static_cast<double>(heap_growth) / 1024, median(standby_ms));
}
