#pragma once
// Where a zone compile puts its answers: each distinct message once, and,
// when the zone was compiled before, the answers the two compiles have in
// common shared with the previous compile rather than written again (see
// CompiledZone::bytes). A reload that changes one record of a signed zone
// of 50,000 names then writes a few answers, not 116 MB.
#include "dns/message_writer.hpp"
#include "util/byte_buffer.hpp"
#include "zone/compile/answer_index.hpp"
#include "zone/compile/compiled_zone.hpp"

#include <cstdint>
#include <string_view>

namespace srvd::zone {

class AnswerStore {
  public:
    // Fills out.bytes, cuts, patches, live_bytes, bytes_written and
    // distinct_answers.
    AnswerStore(CompiledZone& out, const CompiledZone* previous);

    // Gives out.slots[slot] the answer `m`, stored once.
    void store(const dns::CompiledMessage& m, std::uint32_t slot);
    // Places the new blobs and gives every slot of `out` its final offset.
    void finish();

  private:
    // New blobs are written apart until finish(); their offsets carry this
    // flag meanwhile.
    static constexpr std::uint32_t fresh_flag = 0x80000000u;

    std::string_view blob(const Answer& a) const;
    static std::size_t hash(std::string_view blob, const Answer& a);
    bool same(const Answer& a, const dns::CompiledMessage& m, const CompiledZone& in) const;
    void place_in_previous();
    void place_in_new_buffer();

    CompiledZone& out_;
    const CompiledZone* previous_;
    util::ByteBuffer fresh_;
    AnswerIndex stored_;    // this compile's distinct answers: slots of out_, by hash()
    AnswerIndex inherited_; // previous_'s: its slots, by hash()
};

} // namespace srvd::zone
