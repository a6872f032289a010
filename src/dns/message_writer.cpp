#include "dns/message_writer.hpp"

#include "dns/name.hpp"
#include "dns/wire.hpp"

#include <stdexcept>

namespace srvd::dns {
namespace {

// Pointers carry 14 bits of offset.
constexpr std::size_t max_pointer_offset = 0x3fff;
// Below an anchor, a name in the blob lies after a question of up to 255
// bytes: only targets this early stay within a pointer's reach.
constexpr std::size_t max_blob_target = max_pointer_offset - header_size - max_name_size - 4;

// RFC 3597 section 4: only the RFC 1035 types may have compressed RDATA names;
// SRV (RFC 2782) and NAPTR (RFC 3403) targets must not be compressed.
bool rdata_compressible(std::uint16_t t) {
    return t == type::NS || t == type::CNAME || t == type::SOA || t == type::PTR || t == type::MX;
}

} // namespace

MessageWriter::MessageWriter(bool exact, std::string_view qname)
    : exact_(exact), base_(header_size + qname.size() + 4) {
    names_.reserve(2 * max_name_size);
    dictionary_.reserve(16);
    const std::string_view lower = append_lowercase(qname);
    for (std::string_view s = lower; s.size() > 1; s = parent_name(s))
        remember(s, exact ? Target{false, static_cast<std::uint16_t>(header_size + lower.size() -
                                                                     s.size())}
                          : Target{true, static_cast<std::uint16_t>(s.size())});
}

MessageWriter MessageWriter::for_name(std::string_view qname) {
    return MessageWriter(true, qname);
}

MessageWriter MessageWriter::for_names_below(std::string_view anchor) {
    return MessageWriter(false, anchor);
}

const MessageWriter::Target* MessageWriter::find(std::string_view lower_suffix) const {
    for (const Known& k : dictionary_)
        if (k.size == lower_suffix.size() && names_.compare(k.at, k.size, lower_suffix) == 0)
            return &k.target;
    return nullptr;
}

// `name` lower-cased at the end of names_ (which may move: views taken
// before do not survive this call).
std::string_view MessageWriter::append_lowercase(std::string_view name) {
    const std::size_t at = names_.size();
    names_.append(name);
    // Label length bytes are below 64 and never ASCII upper-case letters.
    for (std::size_t i = at; i < names_.size(); ++i)
        names_[i] = static_cast<char>(ascii_lower(static_cast<std::uint8_t>(names_[i])));
    return std::string_view(names_).substr(at);
}

// `lower_suffix` lies in names_.
void MessageWriter::remember(std::string_view lower_suffix, Target target) {
    dictionary_.push_back({static_cast<std::uint32_t>(lower_suffix.data() - names_.data()),
                           static_cast<std::uint8_t>(lower_suffix.size()), target});
}

void MessageWriter::write_pointer(const Target& target) {
    if (target.patch)
        out_.patches.push_back({static_cast<std::uint16_t>(out_.blob.size()), target.value});
    append_uint(out_.blob, static_cast<std::uint16_t>(0xc000 | (target.patch ? 0 : target.value)),
                2);
}

void MessageWriter::write_name(std::string_view name, bool compress) {
    const std::size_t names_before = names_.size();
    const std::string_view lower = append_lowercase(name);
    std::size_t literal = lower.size(); // bytes written as labels
    // A copy: recording this name's suffixes below may move the dictionary.
    std::optional<Target> target;
    if (compress) {
        for (std::string_view s = lower; s.size() > 1; s = parent_name(s))
            if (const Target* found = find(s)) {
                target = *found;
                literal = lower.size() - s.size();
                break;
            }
    }
    // Later names may point into this one: at its final offset for one
    // name; below an anchor, at its place in the blob, patched per query
    // (referrals with many name servers, wildcard and NXDOMAIN answers
    // compress as tightly as NSD's and Knot's).
    bool remembered = false;
    std::string_view s = lower;
    while (s.size() > 1 && lower.size() - s.size() < literal) {
        const std::size_t in_name = lower.size() - s.size();
        if (!find(s)) {
            if (exact_ && offset() + in_name <= max_pointer_offset) {
                remember(s, Target{false, static_cast<std::uint16_t>(offset() + in_name)});
                remembered = true;
            } else if (!exact_ && out_.blob.size() + in_name <= max_blob_target) {
                remember(s, Target{true, static_cast<std::uint16_t>(Patch::in_blob |
                                                                    (out_.blob.size() + in_name))});
                remembered = true;
            }
        }
        s = parent_name(s);
    }
    if (!remembered) names_.resize(names_before); // nothing points into it
    out_.blob.append(name.substr(0, literal));
    if (target) write_pointer(*target);
}

void MessageWriter::add(Section section, const ldns_rr* rr, bool owner_is_qname,
                        std::string_view owner, std::optional<std::uint32_t> ttl) {
    if (section < section_) throw std::logic_error("MessageWriter: sections out of order");
    if (section == Section::additional && out_.cuts.empty())
        out_.cuts.push_back({static_cast<std::uint16_t>(out_.blob.size()), 0});
    section_ = section;

    if (owner_is_qname) {
        // The question name always starts right after the header.
        append_uint(out_.blob, static_cast<std::uint16_t>(0xc000 | header_size), 2);
    } else if (!owner.empty()) {
        write_name(owner, true);
    } else {
        const ldns_rdf* own = ldns_rr_owner(rr);
        write_name(rdf_bytes(own), true);
    }
    const std::uint16_t rrtype = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
    append_uint(out_.blob, rrtype, 2);
    append_uint(out_.blob, static_cast<std::uint16_t>(ldns_rr_get_class(rr)), 2);
    const std::uint32_t t = ttl ? *ttl : ldns_rr_ttl(rr);
    append_uint(out_.blob, t, 4);
    const std::size_t rdlength_at = out_.blob.size();
    append_uint(out_.blob, 0, 2);
    for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
        const std::string_view data = rdf_bytes(rdf);
        if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME)
            write_name(data, rdata_compressible(rrtype));
        else
            out_.blob.append(data);
    }
    const std::size_t rdlength = out_.blob.size() - rdlength_at - 2;
    out_.blob[rdlength_at] = static_cast<char>(rdlength >> 8);
    out_.blob[rdlength_at + 1] = static_cast<char>(rdlength);
    ++out_.counts[static_cast<int>(section)];
}

void MessageWriter::end_additional_rrset() {
    out_.cuts.push_back({static_cast<std::uint16_t>(out_.blob.size()), out_.counts[2]});
}

CompiledMessage MessageWriter::finish(std::uint8_t rcode, bool authoritative) {
    if (out_.blob.size() + base_ > max_message_size)
        throw std::length_error("answer larger than a DNS message can be");
    if (out_.cuts.empty()) out_.cuts.push_back({static_cast<std::uint16_t>(out_.blob.size()), 0});
    if (out_.cuts.back().length != out_.blob.size()) end_additional_rrset();
    out_.rcode = rcode;
    out_.authoritative = authoritative;
    return std::move(out_);
}

} // namespace srvd::dns
