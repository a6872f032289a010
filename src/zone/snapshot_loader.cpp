#include "zone/snapshot_loader.hpp"

#include "config/zone_policy.hpp"

namespace srvd::zone {

Loaded load_all(const std::string& config_path) {
    const auto start = std::chrono::steady_clock::now();
    Loaded out;
    out.config = load_server_config(config_path);
    std::vector<std::shared_ptr<const ZoneData>> zones;
    for (const auto& file : out.config.zone_files)
        zones.push_back(build_zone(load_zone_policy(file)));
    SnapshotOptions options;
    options.udp_payload = out.config.limits.udp_payload;
    if (out.config.geoip) options.geoip = &*out.config.geoip;
    out.snapshot = compile_snapshot(std::move(zones), options);
    out.load_time = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return out;
}

} // namespace srvd::zone
