#include "geo/geo_index.hpp"

#include "geo/mmdb_file.hpp"
#include "geo/region_choice.hpp"

#include <sys/stat.h>

#include <map>
#include <set>
#include <unordered_map>

namespace srvd::geo {
namespace {

template <typename Key> struct Network {
    Key first;
    Key last;
    std::uint32_t location;
};

template <typename Key, int Width> Key last_of(Key first, int length) {
    if (length == 0) return static_cast<Key>(~Key(0));
    const Key host = length >= Width ? Key(0) : static_cast<Key>((Key(1) << (Width - length)) - 1);
    return first | host;
}

template <typename Table, typename Key>
Table build(const std::vector<Network<Key>>& networks, const std::vector<std::uint16_t>& region_of,
            std::uint16_t fill) {
    typename Table::Builder b(fill);
    for (const auto& n : networks) b.add(n.first, n.last, region_of[n.location]);
    return b.finish();
}

} // namespace

namespace {

// Each distinct table once.
template <typename F> std::size_t over_tables(const GeoIndex& index, F&& size_of) {
    std::set<const ZoneGeo*> seen;
    std::size_t n = 0;
    for (const auto& z : index.zones)
        if (seen.insert(z.get()).second) n += size_of(*z);
    return n;
}

// What a zone's table depends on: its regions' match lists and locations, in
// order, and the default. Region names do not matter (answers use indices).
std::string regions_key(const config::ZonePolicy& zone) {
    std::string key = std::to_string(zone.default_region);
    for (const auto& r : zone.regions) {
        key += "|";
        for (const auto& m : r.match) key += m + ",";
        if (r.location)
            key += "@" + std::to_string(r.location->latitude) + "/" +
                   std::to_string(r.location->longitude);
    }
    return key;
}

FileIdentity identity_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {};
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
            static_cast<std::uint64_t>(st.st_size),
            static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

// The running index's tables for `zones` (by their regions_key), when they
// serve as they are: same file, same fields, a table for every zone's
// regions. Empty otherwise.
std::vector<std::shared_ptr<const ZoneGeo>> reusable(const GeoIndex* previous,
                                                     const config::GeoIpConfig& config,
                                                     const FileIdentity& file,
                                                     const std::vector<std::string>& keys) {
    if (!previous || file == FileIdentity{} || !(previous->database == file) ||
        previous->config.database != config.database || !(previous->config.fields == config.fields))
        return {};
    std::vector<std::shared_ptr<const ZoneGeo>> tables;
    for (const auto& key : keys) {
        auto it = previous->by_regions.find(key);
        if (it == previous->by_regions.end()) return {};
        tables.push_back(it->second);
    }
    return tables;
}

} // namespace

std::size_t GeoIndex::ranges() const {
    return over_tables(*this, [](const ZoneGeo& z) { return z.v4.ranges() + z.v6.ranges(); });
}

std::size_t GeoIndex::memory() const {
    return over_tables(*this, [](const ZoneGeo& z) { return z.v4.memory() + z.v6.memory(); });
}

std::shared_ptr<const GeoIndex> compile_geo(const config::GeoIpConfig& config,
                                            const std::vector<const config::ZonePolicy*>& zones,
                                            const GeoIndex* previous) {
    const auto start = std::chrono::steady_clock::now();
    auto index = std::make_shared<GeoIndex>();
    index->config = config;
    index->database = identity_of(config.database);
    std::vector<std::string> keys;
    for (const config::ZonePolicy* zone : zones) keys.push_back(regions_key(*zone));
    if (auto tables = reusable(previous, config, index->database, keys); !tables.empty()) {
        index->description = previous->description;
        index->networks_v4 = previous->networks_v4;
        index->networks_v6 = previous->networks_v6;
        index->locations = previous->locations;
        for (std::size_t i = 0; i < zones.size(); ++i) {
            if (index->by_regions.emplace(keys[i], tables[i]).second) ++index->tables;
            index->zones.push_back(tables[i]);
        }
        index->compile_time = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
        return index;
    }
    MmdbFile db(config.database);
    index->description = db.description();

    // Many networks share one record (one city): read each record once.
    std::unordered_map<std::uint64_t, std::uint32_t> location_of_offset;
    std::vector<Location> locations;
    auto location_id = [&](std::uint64_t offset) {
        auto [it, fresh] =
            location_of_offset.emplace(offset, static_cast<std::uint32_t>(locations.size()));
        if (fresh) locations.push_back(db.read(offset, config.fields));
        return it->second;
    };
    std::vector<Network<std::uint32_t>> v4;
    std::vector<Network<u128>> v6;
    db.for_each_v4([&](std::uint32_t first, int length, std::uint64_t offset) {
        v4.push_back({first, last_of<std::uint32_t, 32>(first, length), location_id(offset)});
    });
    db.for_each_v6([&](u128 first, int length, std::uint64_t offset) {
        v6.push_back({first, last_of<u128, 128>(first, length), location_id(offset)});
    });
    index->networks_v4 = v4.size();
    index->networks_v6 = v6.size();
    index->locations = locations.size();

    for (std::size_t z = 0; z < zones.size(); ++z) {
        const config::ZonePolicy* zone = zones[z];
        auto& shared = index->by_regions[keys[z]];
        if (shared) {
            index->zones.push_back(shared);
            continue;
        }
        auto geo = std::make_shared<ZoneGeo>();
        if (!zone->regions.empty()) {
            std::vector<std::uint16_t> region_of(locations.size());
            for (std::size_t i = 0; i < locations.size(); ++i)
                region_of[i] = static_cast<std::uint16_t>(choose_region(*zone, locations[i]));
            const auto fill = static_cast<std::uint16_t>(zone->default_region);
            geo->v4 = build<PrefixTable4>(v4, region_of, fill);
            geo->v6 = build<PrefixTable6>(v6, region_of, fill);
        }
        shared = geo;
        index->zones.push_back(std::move(geo));
        ++index->tables;
    }
    index->compile_time = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return index;
}

} // namespace srvd::geo
