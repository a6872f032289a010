#pragma once
// The immutable compiled form of every zone: what the packet path reads.
// Answers are stored in wire format; a query only copies bytes and patches
// the ID, the question's letter case, EDNS and a few compression pointers.
#include "config/server_config.hpp"
#include "dns/message_writer.hpp"
#include "geo/geo_index.hpp"
#include "zone/name_table.hpp"
#include "zone/zone_version.hpp"
#include "zone/zone_view.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace srvd::zone {

struct Answer {
    std::uint32_t blob_offset;
    std::uint16_t blob_length;
    std::uint16_t counts[3];
    std::uint8_t rcode;
    bool authoritative;
    std::uint16_t required_arcount; // fewer additional records than this: TC (RFC 9471)
    std::uint32_t cuts_begin;
    std::uint16_t cuts_count;
    std::uint16_t patches_count;
    std::uint32_t patches_begin;
};

// Answers for one query type at a node. `regions` > 1 when the answer
// differs by region, `variants` > 1 when a tier is ordered per client; the
// answer to send is slots[first_slot + region * variants + variant].
// Slots hold the Answer itself (its blob is shared), saving a lookup.
struct TypeEntry {
    std::uint16_t qtype; // 0: every type not listed before it
    std::uint16_t regions;
    std::uint16_t variants;
    std::uint32_t first_slot;
    // Bit r set: region r's variants really differ (its ECS scope must cover
    // the subnet the variant is chosen by). Regions past 31 count as varying.
    std::uint32_t varying_regions;

    // The slot of a region's and an ordering variant's answer: the one
    // formula the builder stores by and the engine reads by. A region or
    // variant the entry does not distinguish maps to the first.
    std::uint32_t slot(std::uint32_t region, std::uint32_t variant) const noexcept {
        return first_slot + (regions > 1 ? region : 0) * variants + (variants > 1 ? variant : 0);
    }
};

// Begin offsets index the zone's CompiledZone::entries; in the snapshot's
// name table, Snapshot::entries.
struct Node {
    // Answers when the query name is this node.
    std::uint32_t exact_begin;
    std::uint16_t exact_count;
    // Answers for names below it that do not exist (wildcard, NXDOMAIN or a
    // referral), when this node is their closest encloser.
    std::uint16_t below_count;
    std::uint32_t below_begin;
    std::uint32_t zone;
};

// One zone's compiled answers: what the packet path reads for a name of
// that zone. Compiled once for a zone's content and health states: a reload
// or a health change that leaves a zone as it was keeps its CompiledZone, so
// with a thousand zones, changing one recompiles one.
struct CompiledZone {
    std::string bytes; // every distinct answer's blob, once
    std::size_t distinct_answers = 0;
    std::vector<TypeEntry> entries;
    std::vector<Answer> slots;
    std::vector<dns::Cut> cuts;
    std::vector<dns::Patch> patches;
    // The zone's names and their nodes (Node::zone unset): the snapshot's
    // name table is built from these.
    std::vector<std::string> names;
    std::vector<Node> nodes;

    std::size_t memory() const;
};

// Compiles every name of a zone, for every region and ordering variant.
std::shared_ptr<const CompiledZone> compile_zone(const ZoneData& zone);

struct ZoneEntry {
    std::shared_ptr<const ZoneData> data;
    std::shared_ptr<const CompiledZone> compiled;
    std::uint16_t default_view;
};

// A zone's compiled arrays as the packet path reads them: one flat row per
// zone, so that they are found by Node::zone in one load, in parallel with
// the entry, rather than through ZoneEntry and CompiledZone.
struct ZoneArrays {
    const Answer* slots;
    const char* bytes;
    const dns::Cut* cuts;
    const dns::Patch* patches;
};

struct Snapshot;

struct SnapshotOptions {
    std::uint16_t udp_payload = 1232;
    std::string nsid; // `nsid:`: this server's identity (RFC 5001), empty for none
    const GeoIpConfig* geoip = nullptr; // no GeoIP: every client gets the default region
    // Zones of this snapshot passed in again (the same ZoneData object) keep
    // their compiled answers; its GeoIP tables are kept when still valid.
    const Snapshot* reuse = nullptr;
    // The same zones compiled again with other health states: keep its
    // GeoIP tables, transfer settings and versions (secondaries get the
    // health-free view), and its UDP payload; the fields above are ignored.
    // Implies `reuse`.
    const Snapshot* recompile_of = nullptr;
};

struct Snapshot {
    // Every name of every zone → its node; Node::zone indexes `zones`.
    NameTable<Node> names;
    std::vector<ZoneEntry> zones;
    std::vector<ZoneArrays> arrays; // by zone, as `zones`
    // Every zone's type entries, one after the other (a copy: small, and a
    // node's entry is then one load away, as its slot is from ZoneArrays).
    std::vector<TypeEntry> entries;
    std::uint16_t udp_payload = 1232;
    // Sent in the NSID option to queries that ask (RFC 5001) and as the TXT of
    // id.server / hostname.bind CH queries; empty: neither is answered.
    std::string nsid;
    std::shared_ptr<const geo::GeoIndex> geo; // null without GeoIP
    // Zone transfers: who may, and what they get, by lowercased wire apex.
    // Only zones that transfers, NOTIFY, a catalog or `serial: auto` need.
    TransferConfig transfer;
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
