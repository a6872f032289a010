#pragma once
// A GeoIP database compiled into one prefix table per zone and address
// family, mapping every address to that zone's region. Built at load time;
// the packet path does one binary search and never calls libmaxminddb.
// Zones with the same regions share one table: a thousand partner zones
// that include one platform file cost one table, not a thousand.
#include "config/server_config.hpp"
#include "config/zone_policy.hpp"
#include "geo/prefix_table.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace srvd::geo {

// Which file a database was read from, as the file system tells it: a
// database replaced in place or renamed over (geoipupdate) differs.
struct FileIdentity {
    std::uint64_t device = 0, inode = 0, size = 0;
    std::int64_t modified_ns = 0;
    bool operator==(const FileIdentity&) const = default;
};

struct GeoIndex {
    config::GeoIpConfig config;
    FileIdentity database;
    // Same order as the zones given to compile_geo; equal regions, one table.
    std::vector<std::shared_ptr<const ZoneGeo>> zones;
    // The tables by what they depend on (the zones' regions).
    std::map<std::string, std::shared_ptr<const ZoneGeo>> by_regions;
    std::size_t tables = 0; // distinct tables
    std::string description;
    std::size_t networks_v4 = 0, networks_v6 = 0, locations = 0;
    std::chrono::milliseconds compile_time{0};

    std::size_t ranges() const;
    std::size_t memory() const;
};

// Throws LoadError when the database cannot be read. With `previous` (the
// running index) and the same database file and fields, tables for regions
// it already has are kept and the database is not read again: a reload
// then costs no GeoIP work unless the database or a zone's regions changed.
std::shared_ptr<const GeoIndex> compile_geo(const config::GeoIpConfig& config,
                                            const std::vector<const config::ZonePolicy*>& zones,
                                            const GeoIndex* previous = nullptr);

} // namespace srvd::geo
