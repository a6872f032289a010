#pragma once
// Writes the sections of an answer in wire format at load time, with name
// compression (RFC 1035 4.1.4). The question is not written: the packet path
// copies the client's own question in front of the result.
//
// Two modes:
//  * for one name: the question name is known, so every compression pointer
//    is final and the packet path copies the bytes unchanged;
//  * for names below an anchor (NXDOMAIN, wildcard, referral below a cut):
//    only the anchor, a suffix of the question, is known. Pointers to it are
//    recorded as patches the packet path fills in from the question's length.
#include "dns/message_layout.hpp"
#include "dns/rr.hpp"
#include "dns/wire.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace srvd::dns {

enum class Section : std::uint8_t { answer = 0, authority = 1, additional = 2 };

struct CompiledMessage {
    std::uint8_t rcode = 0;
    bool authoritative = true;
    // Additional records that must all fit, else TC (a referral's in-domain glue).
    std::uint16_t required_arcount = 0;
    std::uint16_t counts[3] = {0, 0, 0}; // answer, authority, additional
    std::string blob;
    std::vector<Cut> cuts; // ascending; the first has no additional records
    std::vector<Patch> patches;

    bool operator==(const CompiledMessage&) const = default;
};

class MessageWriter {
  public:
    static MessageWriter for_name(std::string_view qname);
    static MessageWriter for_names_below(std::string_view anchor);

    // `owner_is_qname`: write the owner as the question name (wildcard
    // synthesis, or simply the record at the queried name); else `owner`
    // when given (a wildcard synthesized further down a CNAME chain), else the
    // record's own.
    void add(Section section, const ldns_rr* rr, bool owner_is_qname, std::string_view owner = {},
             std::optional<std::uint32_t> ttl = std::nullopt);
    // Closes an RRset of the additional section: a truncation point.
    void end_additional_rrset();
    CompiledMessage finish(std::uint8_t rcode, bool authoritative);

  private:
    struct Target {
        bool patch;
        std::uint16_t value; // absolute offset, or a Patch::target
    };
    MessageWriter(bool exact, std::string_view qname);

    // A name the dictionary knows: the suffix of `names_` at `at`.
    struct Known {
        std::uint32_t at;
        std::uint8_t size;
        Target target;
    };
    void write_name(std::string_view name, bool compress);
    void write_pointer(const Target& target);
    std::size_t offset() const { return base_ + out_.blob.size(); }
    const Target* find(std::string_view lower_suffix) const;
    std::string_view append_lowercase(std::string_view name);
    void remember(std::string_view lower_suffix, Target target);

    bool exact_;
    std::size_t base_; // where the blob starts in the message (exact mode)
    // The names written so far, lower-cased, one after the other; the
    // dictionary points into them. A string per suffix cost a heap block
    // each: the writer's allocations were a fifth of a zone's compile time.
    std::string names_;
    std::vector<Known> dictionary_;
    CompiledMessage out_;
    Section section_ = Section::answer;
};

} // namespace srvd::dns
