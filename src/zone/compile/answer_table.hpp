#pragma once
// What the packet path reads: every name of every zone, the answers for
// each query type there (in wire format, for every region and ordering
// variant), and the GeoIP tables that pick among them. Standard headers
// only: the engine that reads this includes neither ldns nor Asio; the
// load-time model it is compiled from is zone::Snapshot's.
#include "dns/message_layout.hpp"
#include "geo/prefix_table.hpp"
#include "zone/compile/name_table.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace srvd::dnssec {
class DenialSigner;
}

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
    static constexpr std::uint32_t no_slot = 0xffffffff;
    std::uint16_t qtype; // 0: every type not listed before it
    std::uint16_t regions;
    std::uint16_t variants;
    std::uint32_t first_slot;
    // Bit r set: region r's variants really differ (its ECS scope must cover
    // the subnet the variant is chosen by). Regions past 31 count as varying.
    std::uint32_t varying_regions;
    // The same answers with the RRSIG of each RRset, laid out like those
    // from first_slot: for queries with the DO bit. no_slot: an unsigned zone.
    std::uint32_t signed_first_slot = no_slot;

    // The slot of a region's and an ordering variant's answer: the one
    // formula the builder stores by and the engine reads by. A region or
    // variant the entry does not distinguish maps to the first. `dnssec`
    // only when signed_first_slot is set.
    std::uint32_t slot(std::uint32_t region, std::uint32_t variant,
                       bool dnssec = false) const noexcept {
        return (dnssec ? signed_first_slot : first_slot) + (regions > 1 ? region : 0) * variants +
               (variants > 1 ? variant : 0);
    }
};

// Begin offsets index the zone's CompiledZone::entries; in the table's
// name table, AnswerTable::entries.
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

// A zone's compiled arrays as the packet path reads them: one flat row per
// zone, found by Node::zone in one load, in parallel with the entry.
struct ZoneArrays {
    const Answer* slots;
    const char* bytes;
    const dns::Cut* cuts;
    const dns::Patch* patches;
    std::uint16_t default_view; // the region of a client GeoIP does not place
    const geo::ZoneGeo* geo;    // null without GeoIP
    // A signed zone's per-query denial for names that do not exist (RFC
    // 9824); null when unsigned.
    const dnssec::DenialSigner* denial = nullptr;
};

// How the query's EDNS Client Subnet option is treated (`geoip:`).
struct EcsRule {
    bool geoip = false;       // a GeoIP database is configured
    bool enabled = false;     // geoip.ecs
    bool private_use = false; // geoip.ecs_private: use
};

struct AnswerTable {
    // Every name of every zone → its node; Node::zone indexes `arrays`.
    NameTable<Node> names;
    std::vector<ZoneArrays> arrays;
    // Every zone's type entries, one after the other (a copy: small, and a
    // node's entry is then one load away, as its slot is from ZoneArrays).
    std::vector<TypeEntry> entries;
    std::uint16_t udp_payload = 1232;
    // Sent in the NSID option to queries that ask (RFC 5001) and as the TXT of
    // id.server / hostname.bind CH queries; empty: neither is answered.
    std::string nsid;
    EcsRule ecs;
};

} // namespace srvd::zone
