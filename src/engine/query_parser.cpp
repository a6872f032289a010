#include "engine/query_parser.hpp"

#include "dns/wire.hpp"

namespace srvd::engine {
namespace {

using dns::get16;

// Skips a possibly compressed name in an additional record; a pointer ends
// it, so no loop can form. Returns false when it runs past the end.
bool skip_name(const std::uint8_t* data, std::size_t size, std::size_t& at) noexcept {
    for (std::size_t total = 0; at < size;) {
        const std::uint8_t len = data[at];
        if ((len & 0xc0) == 0xc0) {
            at += 2;
            return at <= size;
        }
        if (len & 0xc0) return false; // reserved label types
        at += 1 + len;
        total += 1 + len;
        if (total > dns::max_name_size) return false;
        if (len == 0) return true;
    }
    return false;
}

// RFC 7871 section 6, with the FORMERR cases of section 7.1.2: unknown
// family, prefix longer than the address, scope set in a query, address
// bytes not matching the prefix, bits set beyond it, a second ECS option.
bool parse_ecs(const std::uint8_t* p, std::size_t size, ParsedQuery& q) noexcept {
    if (q.ecs || size < 4) return false;
    const std::uint16_t family = get16(p);
    const std::uint8_t source = p[2], scope = p[3];
    const std::size_t width = family == 1 ? 32 : family == 2 ? 128 : 0;
    if (width == 0 || source > width || scope != 0) return false;
    const std::size_t bytes = (source + 7u) / 8;
    if (size != 4 + bytes) return false;
    if (bytes > 0 && source % 8 != 0 && (p[4 + bytes - 1] & (0xffu >> (source % 8))) != 0)
        return false;
    q.ecs = true;
    q.ecs_family = static_cast<std::uint8_t>(family);
    q.ecs_source = source;
    for (std::size_t i = 0; i < 16; ++i) q.ecs_address[i] = i < bytes ? p[4 + i] : 0;
    return true;
}

// The question name (plain labels only: a compression pointer could only
// point back into the header, so it is malformed by construction), QTYPE and
// QCLASS. Sets question_end only when the whole question is there.
bool parse_question(const std::uint8_t* data, std::size_t size, std::size_t& at,
                    ParsedQuery& q) noexcept {
    q.label_count = 0;
    std::size_t out = 0;
    for (;;) {
        if (at >= size) return false;
        const std::uint8_t len = data[at];
        if (len & 0xc0) return false;
        if (out + 1 + len > dns::max_name_size || at + 1 + len > size) return false;
        if (len == 0) {
            q.qname[out++] = 0;
            ++at;
            break;
        }
        q.label_offsets[q.label_count++] = static_cast<std::uint8_t>(out);
        q.qname[out++] = len;
        for (std::size_t i = 0; i < len; ++i) q.qname[out++] = dns::ascii_lower(data[at + 1 + i]);
        at += 1 + len;
    }
    q.qname_size = static_cast<std::uint8_t>(out);
    if (at + 4 > size) return false;
    q.qtype = get16(data + at);
    q.qclass = get16(data + at + 2);
    at += 4;
    q.question_end = at;
    return true;
}

// One resource record of any section, skipped.
bool skip_record(const std::uint8_t* data, std::size_t size, std::size_t& at) noexcept {
    if (!skip_name(data, size, at) || at + 10 > size) return false;
    at += 10 + get16(data + at + 8);
    return at <= size;
}

// An IXFR's authority record: the client's SOA (RFC 1995 3), whose serial
// follows the two names of its RDATA. Anything else there is left to the
// transfer layer, which then sends the whole zone (RFC 1995 4).
void read_ixfr_serial(const std::uint8_t* data, std::size_t size, std::size_t at,
                      ParsedQuery& q) noexcept {
    if (!skip_name(data, size, at) || at + 10 > size || get16(data + at) != dns::type::SOA) return;
    const std::size_t end = at + 10 + get16(data + at + 8);
    at += 10;
    if (end > size || !skip_name(data, end, at) || !skip_name(data, end, at) || at + 20 != end)
        return;
    q.has_ixfr_serial = true;
    q.ixfr_serial = dns::get32(data + at);
}

// The OPT record's fields and options (RFC 6891 6.1); `at` is just past its owner.
bool parse_opt(const std::uint8_t* data, std::size_t at, std::size_t rdata, std::uint16_t rdlength,
               ParsedQuery& q) noexcept {
    q.edns = true;
    q.edns_payload = get16(data + at + 2);
    q.edns_version = data[at + 5];
    q.edns_do = data[at + 6] & 0x80;
    q.edns_co = data[at + 6] & 0x40;
    for (std::size_t o = rdata; o < rdata + rdlength;) {
        if (o + 4 > rdata + rdlength) return false;
        const std::uint16_t code = get16(data + o);
        const std::uint16_t option_length = get16(data + o + 2);
        if (o + 4 + option_length > rdata + rdlength) return false;
        if (code == dns::option::ECS && !parse_ecs(data + o + 4, option_length, q)) return false;
        if (code == dns::option::NSID) q.nsid = true; // its payload is empty in a query
        o += 4 + option_length; // unknown options are ignored (RFC 6891 6.1.2)
    }
    return true;
}

} // namespace

ParseStatus parse_query(const std::uint8_t* data, std::size_t size, ParsedQuery& q) noexcept {
    if (size < dns::header_size) return ParseStatus::drop;
    if (data[2] & dns::flag2::QR) return ParseStatus::drop; // never answer an answer
    q.id = get16(data);
    q.opcode = (data[2] & dns::flag2::OPCODE) >> 3;
    q.rd = data[2] & dns::flag2::RD;
    q.cd = data[3] & dns::flag3::CD;
    q.edns = false;
    q.edns_do = false; // read for every query: the signed answer is chosen by it
    q.edns_co = false;
    q.nsid = false;
    q.ecs = false;
    q.tsig = false;
    q.tsig_offset = 0;
    q.has_ixfr_serial = false;
    q.question_end = 0;
    const std::uint16_t qdcount = get16(data + 4), ancount = get16(data + 6),
                        nscount = get16(data + 8), arcount = get16(data + 10);
    // Whatever is wrong, the error reply echoes the question and the OPT when
    // they can be found (RFC 6891 7), so parsing goes on as far as it can.
    const ParseStatus error = q.opcode != 0 ? ParseStatus::notimp : ParseStatus::formerr;
    if (qdcount > 1) return error;
    std::size_t at = dns::header_size;
    if (qdcount == 1 && !parse_question(data, size, at, q)) return error;
    if (q.opcode == 0) {
        // A query has no answers; an IXFR query carries the client's SOA in
        // the authority section (RFC 1995).
        if (ancount != 0 || nscount > 1) return error;
        if (nscount == 1 && (qdcount != 1 || q.qtype != dns::type::IXFR)) return error;
    }
    if (q.opcode == 0 && nscount == 1) read_ixfr_serial(data, size, at, q);
    // Another opcode's records (NOTIFY's SOA, UPDATE's sections) are skipped
    // only to find its OPT.
    for (std::uint32_t i = 0; i < std::uint32_t{ancount} + nscount; ++i)
        if (!skip_record(data, size, at)) return error;

    for (std::uint16_t i = 0; i < arcount; ++i) {
        const std::size_t owner = at;
        if (!skip_name(data, size, at) || at + 10 > size) return error;
        const std::uint16_t type = get16(data + at);
        const std::uint16_t rdlength = get16(data + at + 8);
        const std::size_t rdata = at + 10;
        if (rdata + rdlength > size) return error;
        if (type == dns::type::TSIG) {
            // RFC 8945 5.1: the last record, or the message is malformed.
            if (i + 1 != arcount || owner > 0xffff) return error;
            q.tsig = true;
            q.tsig_offset = static_cast<std::uint16_t>(owner);
        }
        if (type == dns::type::OPT) {
            // RFC 6891 6.1.1: one OPT, owned by the root.
            if (q.edns || at != owner + 1 || data[owner] != 0) return error;
            if (!parse_opt(data, at, rdata, rdlength, q)) return error;
        }
        at = rdata + rdlength;
    }
    if (at != size) return error; // trailing garbage
    if (q.opcode != 0) return ParseStatus::notimp;
    if (qdcount == 0) return ParseStatus::formerr;
    return ParseStatus::ok;
}

} // namespace srvd::engine
