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
    util::ByteBuffer bytes; // every distinct answer's blob, once
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

std::shared_ptr<const CompiledZone> compile_zone(const ZoneData& zone);

} // namespace srvd::zone
