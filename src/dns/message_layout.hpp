#pragma once
// The two per-answer tables a precompiled answer carries beside its bytes:
// where it may be cut to fit, and which compression pointers the packet path
// fills in. Standard headers only: the engine reads these per query.
#include "dns/wire.hpp"

#include <cstdint>

namespace srvd::dns {

// A place where the additional section may be cut short to fit a size limit:
// the blob up to `length` holds `arcount` additional records.
struct Cut {
    std::uint16_t length;
    std::uint16_t arcount;
    bool operator==(const Cut&) const = default;
};

// A compression pointer to fill in per query, where the target's offset
// depends on the question's length: a suffix of the question name, or a name
// written earlier in the blob (which starts right after the question).
struct Patch {
    static constexpr std::uint16_t in_blob = 0x8000;
    std::uint16_t position;
    // The length of the question-name suffix pointed at; or, with `in_blob`
    // set, the target's offset in the blob.
    std::uint16_t target;
    bool operator==(const Patch&) const = default;

    // The pointer's offset in a message whose question name is `qname_size` bytes.
    constexpr std::uint16_t offset(std::size_t qname_size) const noexcept {
        return static_cast<std::uint16_t>((target & in_blob)
                                              ? header_size + qname_size + 4 + (target & ~in_blob)
                                              : header_size + qname_size - target);
    }
};

} // namespace srvd::dns
