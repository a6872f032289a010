#pragma once
// One zone's answers compiled for every name, region and ordering variant.
#include "dnssec/denial_signer.hpp"
#include "util/byte_buffer.hpp"
#include "zone/compile/answer_table.hpp"
#include "zone/model/zone_view.hpp"

#include <memory>
#include <string>
#include <vector>

namespace srvd::zone {

// Compiled once for a zone's content and health states: a reload or a
// health change that leaves a zone as it was keeps its CompiledZone, so
// with a thousand zones, changing one recompiles one.
struct CompiledZone {
    // Every distinct answer's blob, once. Shared along the compiles of a
    // zone: the next compile (a reload, a health change, the standby) refers
    // to the answers it has in common with this one where they are and
    // appends only the others, within the buffer's capacity, past every
    // offset this zone reads (so the buffer never moves while shared). A
    // compile that finds the buffer full, or a fifth of it answers no longer
    // used, copies its own answers into a new one.
    std::shared_ptr<util::ByteBuffer> bytes;
    std::size_t bytes_written = 0; // of `bytes`, by this compile
    std::size_t live_bytes = 0;    // of `bytes`, the blobs this zone's answers use
    std::size_t distinct_answers = 0;
    std::vector<TypeEntry> entries;
    std::vector<Answer> slots;
    std::vector<dns::Cut> cuts;
    std::vector<dns::Patch> patches;
    // The zone's names and their nodes (Node::zone unset): the snapshot's
    // name table is built from these.
    std::vector<std::string> names;
    std::vector<Node> nodes;
    // Signs the denial for names that do not exist, per query; null unsigned.
    std::shared_ptr<const dnssec::DenialSigner> denial;

    std::size_t memory() const;
};

// `previous`: the same zone compiled before (the one served, whose answers
// this compile may share).
std::shared_ptr<const CompiledZone> compile_zone(const ZoneData& zone,
                                                 const CompiledZone* previous = nullptr);

} // namespace srvd::zone
