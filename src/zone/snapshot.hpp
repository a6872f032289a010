#pragma once
// The immutable compiled form of every zone: what the packet path reads.
// Answers are stored in wire format; a query only copies bytes and patches
// the ID, the question's letter case, EDNS and a few compression pointers.
#include "dns/message_writer.hpp"
#include "zone/name_table.hpp"
#include "zone/zone_view.hpp"

#include <cstdint>
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
    std::uint32_t cuts_begin;
    std::uint16_t cuts_count;
    std::uint16_t patches_count;
    std::uint32_t patches_begin;
};

// Answers for one query type at a node. `views` > 1 when the answer differs by
// region: then answer `first + region` is the one to send.
struct TypeEntry {
    std::uint16_t qtype; // 0: every type not listed before it
    std::uint16_t views;
    std::uint32_t first;
};

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

struct ZoneEntry {
    std::shared_ptr<const ZoneData> data;
    std::uint16_t default_view;
};

struct Snapshot {
    std::string bytes; // every answer's blob
    std::vector<Answer> answers;
    std::vector<TypeEntry> entries;
    std::vector<dns::Cut> cuts;
    std::vector<dns::Patch> patches;
    std::vector<Node> nodes;
    NameTable names;
    std::vector<ZoneEntry> zones;
    std::uint16_t udp_payload = 1232;

    const ZoneData* find_zone(std::string_view name_text) const;
    std::size_t memory() const;
};

// Compiles zones into a snapshot; zones must not repeat. Throws LoadError.
std::shared_ptr<const Snapshot> compile_snapshot(std::vector<std::shared_ptr<const ZoneData>> zones,
                                                 std::uint16_t udp_payload);

} // namespace srvd::zone
