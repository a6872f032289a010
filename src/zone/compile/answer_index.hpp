#pragma once
// Answers found by hash during a zone compile: each entry refers to an
// Answer in an array the caller owns (a slot of the zone being compiled or
// of the previous compile) by its position. One open-addressed array of
// 8-byte entries, not a node-based multimap: a signed zone of 340,000
// distinct answers kept two multimaps of them, ~50 MB in small blocks
// allocated and freed by every compile, and the holes they left among the
// zone's own memory were resident long after (a reload's peak, and the
// RSS after it).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace srvd::zone {

class AnswerIndex {
  public:
    // Room for `count` entries without growing.
    void reserve(std::size_t count) {
        if (count * 2 > table_.size()) rehash(count * 2);
    }

    void insert(std::size_t hash, std::uint32_t ref) {
        if ((count_ + 1) * 2 > table_.size()) rehash(table_.size() * 2);
        place(Entry{static_cast<std::uint32_t>(hash), ref + 1});
        ++count_;
    }

    // The ref of the first entry of `hash` for which `same(ref)` holds.
    template <class Same> bool find(std::size_t hash, Same same, std::uint32_t& ref) const {
        if (table_.empty()) return false;
        const auto tag = static_cast<std::uint32_t>(hash);
        const std::size_t mask = table_.size() - 1;
        for (std::size_t i = tag & mask; table_[i].ref_plus_one != 0; i = (i + 1) & mask)
            if (table_[i].tag == tag && same(table_[i].ref_plus_one - 1)) {
                ref = table_[i].ref_plus_one - 1;
                return true;
            }
        return false;
    }

    // Gives the memory back (a compile's index lives as long as the compile).
    void release() {
        table_ = {};
        count_ = 0;
    }

  private:
    struct Entry {
        std::uint32_t tag;          // the hash's low bits: most mismatches end here
        std::uint32_t ref_plus_one; // 0: empty
    };

    void place(Entry e) {
        const std::size_t mask = table_.size() - 1;
        std::size_t i = e.tag & mask;
        while (table_[i].ref_plus_one != 0) i = (i + 1) & mask; // at most half full
        table_[i] = e;
    }

    void rehash(std::size_t at_least) {
        std::size_t size = 16;
        while (size < at_least) size *= 2;
        std::vector<Entry> old = std::move(table_);
        table_.assign(size, Entry{0, 0});
        for (const Entry& e : old)
            if (e.ref_plus_one != 0) place(e);
    }

    std::vector<Entry> table_; // a power of two long, at most half full
    std::size_t count_ = 0;
};

} // namespace srvd::zone
