#pragma once
// Configuration file → compiled snapshot: the one loading path shared by
// serve, reload, check, export and explain.
#include "config/server_config.hpp"
#include "zone/snapshot/snapshot.hpp"

#include <chrono>
#include <functional>
#include <memory>

namespace srvd::zone {

struct Loaded {
    config::ServerConfig config;
    std::shared_ptr<const Snapshot> snapshot;
    std::chrono::milliseconds load_time{0};
    // Zones secondaries should hear about (NOTIFY): all of them at start,
    // then those whose serial changed or that are new.
    std::vector<std::pair<std::string, std::uint32_t>> notify;
    // Found while loading, for load_warnings (e.g. content changed under
    // an unchanged explicit serial).
    std::vector<std::string> warnings;
    // Keys that changed state when their zone was signed again, for the log.
    std::vector<std::string> events;
};

struct LoadOptions {
    // The snapshot being replaced: its zone versions start the IXFR journals,
    // and its zones whose files, health states and transfer settings are
    // unchanged are kept as they are, compiled answers and all.
    const Snapshot* previous = nullptr;
    // serve and reload keep `soa.serial: auto` serials in state_dir; check,
    // export and explain only read them.
    bool write_state = false;
    // The media servers' current health states for a policy (serve and
    // reload: answers leave out servers already known to be down); none:
    // all up.
    std::function<std::vector<ServerState>(const config::ZonePolicy&)> health = nullptr;
};

// Throws LoadError (file:line:column) on any problem.
Loaded load_all(const std::string& config_path, const LoadOptions& options = {});

// Signs again, from `now` (Unix seconds), the zones of `current` whose
// signatures are past half their lifetime (Knot's rrsig-refresh), without
// reading any file: their answers and transfer versions (a new serial when
// automatic; `notify` lists them). Other zones are kept as they are. With
// `force` (a zone's name, or empty for all), those signed zones are signed
// again now, due or not (`srvd ctl sign`, as `knotc zone-sign`).
Loaded renew_signatures(const Snapshot& current, const LoadOptions& options, std::int64_t now,
                        const std::string* force = nullptr);

// Whether renew_signatures signs `zone` again: due, or named by `force`.
bool signs_again(const ZoneData& zone, std::int64_t now, const std::string* force);

} // namespace srvd::zone
