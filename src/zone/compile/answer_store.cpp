#include "zone/compile/answer_store.hpp"

#include <algorithm>

namespace srvd::zone {
namespace {

// Room for the next compiles to append into, in a buffer big enough for
// malloc to map it apart: its untouched capacity is then address space,
// not memory (ByteBuffer). A small zone's buffer is as big as its answers:
// copying them costs little, and spare room on the heap would be memory.
void make_room(util::ByteBuffer& bytes) {
    if (bytes.size() >= (std::size_t{1} << 20))
        bytes.reserve(bytes.size() + bytes.size() / 2);
    else
        bytes.shrink_to_fit();
}

} // namespace

AnswerStore::AnswerStore(CompiledZone& out, const CompiledZone* previous)
    : out_(out),
      // A buffer without room (a small zone's) is copied: nothing to look up.
      previous_(previous && previous->bytes && previous->bytes->capacity() > previous->bytes->size()
                    ? previous
                    : nullptr) {
    // As many distinct answers as the zone had: a reload or a health change
    // changes a few.
    if (previous) stored_.reserve(previous->distinct_answers);
    if (!previous_) {
        // Every answer is written again: about as many bytes as last time
        // (growing by doubling cost a realloc per doubling of every small zone).
        if (previous) fresh_.reserve(previous->live_bytes);
        return;
    }
    inherited_.reserve(previous_->distinct_answers);
    const std::string_view bytes = previous_->bytes->view();
    // Each distinct answer once (a compile gives each its own blob): the
    // same answer under many slots would line up as one long run of the
    // index that every lookup near it walks through. Were two answers ever
    // to share a blob, the second would only be written again, not lost.
    std::uint32_t last = 0xffffffffu, found = 0; // slots often repeat answers side by side
    for (std::uint32_t i = 0; i < previous_->slots.size(); ++i) {
        const Answer& a = previous_->slots[i];
        if (a.blob_offset == last) continue;
        last = a.blob_offset;
        const std::size_t h = hash(bytes.substr(a.blob_offset, a.blob_length), a);
        const auto same_blob = [&](std::uint32_t s) {
            return previous_->slots[s].blob_offset == a.blob_offset;
        };
        if (!inherited_.find(h, same_blob, found)) inherited_.insert(h, i);
    }
}

std::size_t AnswerStore::hash(std::string_view blob, const Answer& a) {
    return std::hash<std::string_view>{}(blob) ^ (std::size_t{a.counts[0]} << 20) ^
           (std::size_t{a.cuts_count} << 40) ^ (std::size_t{a.patches_count} << 50);
}

std::string_view AnswerStore::blob(const Answer& a) const {
    if (a.blob_offset & fresh_flag)
        return fresh_.view().substr(a.blob_offset & ~fresh_flag, a.blob_length);
    return previous_->bytes->view().substr(a.blob_offset, a.blob_length);
}

bool AnswerStore::same(const Answer& a, const dns::CompiledMessage& m,
                       const CompiledZone& in) const {
    return a.blob_length == m.blob.size() && a.rcode == m.rcode &&
           a.authoritative == m.authoritative && a.required_arcount == m.required_arcount &&
           std::equal(std::begin(m.counts), std::end(m.counts), a.counts) && blob(a) == m.blob &&
           std::equal(m.cuts.begin(), m.cuts.end(), in.cuts.begin() + a.cuts_begin,
                      in.cuts.begin() + a.cuts_begin + a.cuts_count) &&
           std::equal(m.patches.begin(), m.patches.end(), in.patches.begin() + a.patches_begin,
                      in.patches.begin() + a.patches_begin + a.patches_count);
}

void AnswerStore::store(const dns::CompiledMessage& m, std::uint32_t slot) {
    Answer& a = out_.slots[slot];
    a = Answer{};
    a.blob_length = static_cast<std::uint16_t>(m.blob.size());
    std::copy(std::begin(m.counts), std::end(m.counts), a.counts);
    a.rcode = m.rcode;
    a.authoritative = m.authoritative;
    a.required_arcount = m.required_arcount;
    a.cuts_count = static_cast<std::uint16_t>(m.cuts.size());
    a.patches_count = static_cast<std::uint16_t>(m.patches.size());
    const std::size_t h = hash(m.blob, a);
    std::uint32_t found = 0;
    if (stored_.find(
            h, [&](std::uint32_t s) { return same(out_.slots[s], m, out_); }, found)) {
        a = out_.slots[found];
        return;
    }
    if (inherited_.find(
            h, [&](std::uint32_t s) { return same(previous_->slots[s], m, *previous_); }, found))
        a.blob_offset = previous_->slots[found].blob_offset; // where the previous compile wrote it
    else {
        a.blob_offset = fresh_flag | static_cast<std::uint32_t>(fresh_.size());
        fresh_.append(m.blob);
    }
    a.cuts_begin = static_cast<std::uint32_t>(out_.cuts.size());
    a.patches_begin = static_cast<std::uint32_t>(out_.patches.size());
    out_.cuts.insert(out_.cuts.end(), m.cuts.begin(), m.cuts.end());
    out_.patches.insert(out_.patches.end(), m.patches.begin(), m.patches.end());
    out_.live_bytes += m.blob.size();
    ++out_.distinct_answers;
    stored_.insert(h, slot);
}

void AnswerStore::finish() {
    inherited_.release();
    stored_.release();
    const util::ByteBuffer* shared = previous_ ? previous_->bytes.get() : nullptr;
    // Appending keeps what the previous compile wrote, used or not: done while
    // the buffer has room and a fifth of it at most would be unused (a
    // health change rewrites most answers of a small zone: its buffer
    // would soon be half garbage).
    if (shared && shared->size() + fresh_.size() <= shared->capacity() &&
        (shared->size() + fresh_.size()) * 4 <= out_.live_bytes * 5 &&
        shared->size() + fresh_.size() < fresh_flag) // offsets stay below the flag
        place_in_previous();
    else
        place_in_new_buffer();
}

void AnswerStore::place_in_previous() {
    out_.bytes = previous_->bytes;
    const auto base = static_cast<std::uint32_t>(out_.bytes->size());
    out_.bytes->append(fresh_.view()); // within its capacity: it does not move
    out_.bytes_written = fresh_.size();
    for (Answer& a : out_.slots)
        if (a.blob_offset & fresh_flag) a.blob_offset = base + (a.blob_offset & ~fresh_flag);
}

void AnswerStore::place_in_new_buffer() {
    // The new blobs first, where they are; then each blob still used of
    // the previous compile's, once.
    auto bytes = std::make_shared<util::ByteBuffer>(std::move(fresh_));
    bytes->reserve(out_.live_bytes);
    std::unordered_map<std::uint32_t, std::uint32_t> moved;
    for (Answer& a : out_.slots) {
        if (a.blob_offset & fresh_flag) {
            a.blob_offset &= ~fresh_flag;
            continue;
        }
        auto [it, first] = moved.try_emplace(a.blob_offset, 0);
        if (first) {
            it->second = static_cast<std::uint32_t>(bytes->size());
            bytes->append(previous_->bytes->view().substr(a.blob_offset, a.blob_length));
        }
        a.blob_offset = it->second;
    }
    make_room(*bytes);
    out_.bytes_written = bytes->size();
    out_.bytes = std::move(bytes);
}

} // namespace srvd::zone
