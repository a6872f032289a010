#pragma once
// The immutable compiled form of every zone, swapped whole on reload: the
// packet path's answer table, and the load-time model it was compiled from
// (policies, records, GeoIP index, transfer settings), which export,
// explain, transfers and the next reload read.
#include "config/server_config.hpp"
#include "geo/geo_index.hpp"
#include "zone/compile/answer_table.hpp"
#include "zone/compile/compiled_zone.hpp"
#include "zone/persist/zone_version.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace srvd::zone {

struct ZoneEntry {
    std::shared_ptr<const ZoneData> data;
    std::shared_ptr<const CompiledZone> compiled;
};

struct Snapshot;

struct SnapshotOptions {
    std::uint16_t udp_payload = 1232;
    std::string nsid; // `nsid:`: this server's identity (RFC 5001), empty for none
    const config::GeoIpConfig* geoip = nullptr; // no GeoIP: every client gets the default region
    // Zones of this snapshot passed in again (the same ZoneData object) keep
    // their compiled answers; its GeoIP tables are kept when still valid.
    const Snapshot* reuse = nullptr;
    // The same zones compiled again with other health states: keep its
    // GeoIP tables, transfer settings and versions (secondaries get the
    // health-free view), and its UDP payload; the fields above are ignored.
    // Implies `reuse`.
    const Snapshot* recompile_of = nullptr;
    // Zones compiled already (zone::Standby): those passed in (the same
    // ZoneData object) keep these compiled answers.
    const std::vector<ZoneEntry>* compiled_ahead = nullptr;
};

// The answer table (what the engine reads) and, beside it, what it was
// compiled from. `zones` and AnswerTable::arrays have the same order.
struct Snapshot : AnswerTable {
    std::vector<ZoneEntry> zones;
    std::shared_ptr<const geo::GeoIndex> geo; // owns ZoneArrays::geo; null without GeoIP
    // Zone transfers: who may, and what they get, by lowercased wire apex.
    // Only zones that transfers, NOTIFY, a catalog or `serial: auto` need.
    config::TransferConfig transfer;
    std::map<std::string, std::shared_ptr<const ZoneTransfer>, std::less<>> transfers;

    std::map<std::string, std::size_t, std::less<>> zone_index; // lowercased wire apex → zones[i]

    const ZoneData* find_zone(std::string_view name_text) const;
    std::size_t distinct_answers() const;
    std::size_t memory() const;
};

// Compiles zones into a snapshot; zones must not repeat. Throws LoadError.
std::shared_ptr<Snapshot> compile_snapshot(std::vector<std::shared_ptr<const ZoneData>> zones,
                                           const SnapshotOptions& options = {});

} // namespace srvd::zone
