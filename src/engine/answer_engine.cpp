#include "engine/answer_engine.hpp"

#include "dns/wire.hpp"
#include "dnssec/denial_signer.hpp"
#include "engine/client_view.hpp"
#include "engine/query_parser.hpp"

#include <algorithm>
#include <cstring>

namespace srvd::engine {
namespace {

using dns::put16;
using dns::put32;
constexpr std::size_t opt_size = 11; // root owner, type, class, TTL, RDLENGTH 0

struct Reply {
    std::uint8_t rcode = 0; // low four bits in the header; BADVERS goes in the OPT
    std::uint16_t extended_rcode = 0;
    bool authoritative = false;
    bool truncated = false;
    std::uint16_t counts[3] = {0, 0, 0};
    bool echo_ecs = false;
    std::uint8_t ecs_scope = 0;
    // Extended DNS Error (RFC 8914) INFO-CODE, 0 for none. The only one we
    // send: 20, Not Authoritative, on REFUSED for a name outside our zones.
    std::uint16_t ede = 0;
    const std::string* nsid = nullptr; // asked for and configured (RFC 5001)
};

constexpr std::uint16_t ede_not_authoritative = 20;

// The NSID to send: when the query asks and `nsid:` is configured.
const std::string* nsid_for(const zone::AnswerTable& s, const ParsedQuery& q) noexcept {
    return q.nsid && !s.nsid.empty() ? &s.nsid : nullptr;
}

// id.server and hostname.bind, class CH: the names operators of anycast
// fleets ask to learn which instance answered (RFC 4892).
bool identity_query(const ParsedQuery& q) noexcept {
    static constexpr std::uint8_t id_server[] = {2, 'i', 'd', 6, 's', 'e', 'r', 'v', 'e', 'r', 0};
    static constexpr std::uint8_t hostname_bind[] = {8,   'h', 'o', 's', 't', 'n', 'a', 'm',
                                                     'e', 4,   'b', 'i', 'n', 'd', 0};
    const auto is = [&](const std::uint8_t* name, std::size_t size) {
        return q.qname_size == size && std::memcmp(q.qname, name, size) == 0;
    };
    return (q.qtype == dns::type::TXT || q.qtype == dns::type::ANY) &&
           (is(id_server, sizeof id_server) || is(hostname_bind, sizeof hostname_bind));
}

// The identity as one TXT record owned by the question name, class CH, TTL 0.
std::size_t identity_record_size(const zone::AnswerTable& s) {
    return 2 + 10 + 1 + s.nsid.size();
}
std::size_t write_identity(const zone::AnswerTable& s, std::uint8_t* p) noexcept {
    put16(p, 0xc000 | dns::header_size);
    put16(p + 2, dns::type::TXT);
    put16(p + 4, dns::class_CH);
    put32(p + 6, 0);
    put16(p + 10, static_cast<std::uint16_t>(1 + s.nsid.size()));
    p[12] = static_cast<std::uint8_t>(s.nsid.size());
    std::memcpy(p + 13, s.nsid.data(), s.nsid.size());
    return identity_record_size(s);
}

std::size_t ecs_address_bytes(const ParsedQuery& q) {
    return (q.ecs_source + 7u) / 8;
}

std::size_t opt_length(const ParsedQuery& q, const Reply& r) {
    if (!q.edns) return 0;
    return opt_size + (r.echo_ecs ? 8 + ecs_address_bytes(q) : 0) + (r.ede ? 6 : 0) +
           (r.nsid ? 4 + r.nsid->size() : 0);
}

std::size_t header_only(const ParsedQuery& q, std::uint8_t rcode, std::uint8_t* out) noexcept {
    put16(out, q.id);
    out[2] =
        static_cast<std::uint8_t>(dns::flag2::QR | (q.opcode << 3) | (q.rd ? dns::flag2::RD : 0));
    out[3] = rcode;
    std::memset(out + 4, 0, 8);
    return dns::header_size;
}

void write_header(const ParsedQuery& q, const Reply& r, std::uint8_t* out) noexcept {
    put16(out, q.id);
    out[2] =
        static_cast<std::uint8_t>(dns::flag2::QR | (r.authoritative ? dns::flag2::AA : 0) |
                                  (r.truncated ? dns::flag2::TC : 0) | (q.rd ? dns::flag2::RD : 0));
    out[3] = static_cast<std::uint8_t>((q.cd ? dns::flag3::CD : 0) | (r.rcode & dns::flag3::RCODE));
    put16(out + 4, 1);
    put16(out + 6, r.counts[0]);
    put16(out + 8, r.counts[1]);
    put16(out + 10, static_cast<std::uint16_t>(r.counts[2] + (q.edns ? 1 : 0)));
}

std::size_t write_opt(const zone::AnswerTable& s, const ParsedQuery& q, const Reply& r,
                      std::uint8_t* p) noexcept {
    p[0] = 0;
    put16(p + 1, dns::type::OPT);
    put16(p + 3, s.udp_payload);
    p[5] = static_cast<std::uint8_t>(r.extended_rcode >> 4);
    p[6] = 0; // version
    // RFC 3225: DO is echoed; so is CO, to a DNSSEC client (RFC 9824 5).
    p[7] = q.edns_do ? (q.edns_co ? 0xc0 : 0x80) : 0;
    p[8] = 0;
    const std::size_t length = opt_length(q, r);
    put16(p + 9, static_cast<std::uint16_t>(length - opt_size));
    std::uint8_t* option = p + opt_size;
    if (r.echo_ecs) {
        // RFC 7871 7.2.1: FAMILY, SOURCE PREFIX-LENGTH and ADDRESS as asked,
        // SCOPE PREFIX-LENGTH ours.
        const std::size_t bytes = ecs_address_bytes(q);
        put16(option, dns::option::ECS);
        put16(option + 2, static_cast<std::uint16_t>(4 + bytes));
        put16(option + 4, q.ecs_family);
        option[6] = q.ecs_source;
        option[7] = r.ecs_scope;
        std::memcpy(option + 8, q.ecs_address, bytes);
        option += 8 + bytes;
    }
    if (r.ede) {
        put16(option, dns::option::EDE);
        put16(option + 2, 2); // INFO-CODE only, no EXTRA-TEXT
        put16(option + 4, r.ede);
        option += 6;
    }
    if (r.nsid) {
        put16(option, dns::option::NSID);
        put16(option + 2, static_cast<std::uint16_t>(r.nsid->size()));
        std::memcpy(option + 4, r.nsid->data(), r.nsid->size());
    }
    return length;
}

// FORMERR, NOTIMP and other errors: the header, the question when it could be
// read, and an OPT when the query had one (RFC 6891 7: a resolver that gets
// an error without OPT concludes the server has no EDNS, stops sending ECS
// and caps its answers at 512 bytes).
std::size_t error_reply(const zone::AnswerTable& s, const ParsedQuery& q, const std::uint8_t* query,
                        std::uint8_t rcode, std::uint8_t* out, AnswerInfo* info) noexcept {
    std::size_t at = header_only(q, rcode, out);
    if (q.question_end > dns::header_size) {
        // At most 4 + 255 bytes: with the header and an OPT, within any out_size.
        std::memcpy(out + at, query + at, q.question_end - at);
        at = q.question_end;
        put16(out + 4, 1);
    }
    const std::size_t question_end = at;
    std::size_t opt = 0;
    if (q.edns) {
        Reply r;
        r.nsid = nsid_for(s, q);
        opt = write_opt(s, q, r, out + at);
        at += opt;
        put16(out + 10, 1);
    }
    if (info) {
        info->rcode = rcode;
        info->question_end = static_cast<std::uint16_t>(question_end);
        info->opt_size = static_cast<std::uint16_t>(opt);
    }
    return at;
}

// The answers of a name: find the entry for the type, else the catch-all.
const zone::TypeEntry* find_entry(const zone::TypeEntry* entries, std::uint32_t begin,
                                  std::uint16_t count, std::uint16_t qtype) noexcept {
    for (std::uint32_t i = begin; i < begin + count; ++i)
        if (entries[i].qtype == qtype || entries[i].qtype == 0) return &entries[i];
    return nullptr;
}

// The largest reply the client takes: RFC 6891 payload over UDP (at least
// 512, at most what we configured), a whole message over TCP.
std::size_t reply_limit(const zone::AnswerTable& s, const Request& request, const ParsedQuery& q,
                        std::size_t out_size) noexcept {
    const std::size_t limit = request.protocol == Protocol::udp ? udp_reply_limit(q, s.udp_payload)
                                                                : dns::max_message_size;
    return std::min(limit, out_size);
}

// What a query is answered with: a compiled answer of a zone, the server's
// identity, or nothing but a header code (set in the Reply).
struct Choice {
    const zone::Answer* answer = nullptr;
    const zone::ZoneArrays* zone = nullptr; // the zone `answer` belongs to
    bool identity = false;                  // id.server or hostname.bind CH TXT
    bool formerr = false;                   // QTYPE OPT (RFC 6891 6.1.1), NXNAME (RFC 9824 3.5)
    // What a signed zone's answer to a DO query adds, signed for this query
    // after the compiled answer: for a name that does not exist, NOERROR
    // and an NSEC at it (RFC 9824); for a wildcard's answer, an NSEC proving
    // the name itself does not exist (RFC 4035 3.1.3.3).
    enum class Denial : std::uint8_t { none, nxname, cover } denial = Denial::none;
    // The query name's closest encloser in the zone: its label index, 0 for
    // the name itself.
    std::uint8_t encloser_label = 0;
};

// The name itself, else its closest existing ancestor; then the slot of the
// client's region and ordering variant.
void find_answer(const zone::AnswerTable& s, const ParsedQuery& q, const ClientAddress& client,
                 Reply& r, Choice& c, AnswerInfo* info) noexcept {
    const zone::TypeEntry* entry = nullptr;
    const zone::Node* node = s.names.find(q.qname, q.qname_size);
    if (node) {
        entry = find_entry(s.entries.data(), node->exact_begin, node->exact_count, q.qtype);
    } else {
        for (std::uint8_t label = 1; label <= q.label_count; ++label) {
            const std::uint8_t offset =
                label < q.label_count ? q.label_offsets[label] : q.qname_size - 1;
            node = s.names.find(q.qname + offset, q.qname_size - offset);
            if (!node) continue;
            entry = find_entry(s.entries.data(), node->below_begin, node->below_count, q.qtype);
            c.encloser_label = label;
            break;
        }
    }
    if (!entry) {
        r.rcode = dns::rcode::REFUSED; // not a zone of ours (RFC 8906 style)
        r.ede = ede_not_authoritative;
        return;
    }
    c.zone = &s.arrays[node->zone];
    // A signed zone's answer with RRSIGs to a client that asked (RFC 4035 3.1).
    const bool dnssec = q.edns_do && entry->signed_first_slot != zone::TypeEntry::no_slot;
    std::uint32_t slot = entry->slot(0, 0, dnssec);
    if (entry->regions > 1 || entry->variants > 1) {
        const ClientView view = choose_view(s, node->zone, *entry, q, client);
        slot = entry->slot(view.region, view.variant, dnssec);
        r.ecs_scope = view.scope;
        if (info) {
            info->located = true;
            info->zone = static_cast<std::uint16_t>(node->zone);
            info->region = view.region;
            info->variant = view.variant;
            info->variants = entry->variants;
            info->scope = view.scope;
            info->used_ecs = view.used_ecs;
        }
    }
    c.answer = &c.zone->slots[slot];
    r.rcode = c.answer->rcode;
    r.authoritative = c.answer->authoritative;
    if (dnssec && c.zone->denial && r.authoritative) {
        // Below an existing name: the query name does not exist (an
        // NXDOMAIN without answers), or a wildcard matched it.
        if (c.encloser_label)
            c.denial = r.rcode == dns::rcode::NXDOMAIN && c.answer->counts[0] == 0
                           ? Choice::Denial::nxname
                           : Choice::Denial::cover;
        // The one place a compact denial's rcode is decided (RFC 9824 3
        // and 5): a missing name, or a CNAME chain's missing target, is
        // "NOERROR, no data" to validators that do not know NXNAME; one
        // that sets CO gets NXDOMAIN back.
        if (r.rcode == dns::rcode::NXDOMAIN && !q.edns_co) r.rcode = dns::rcode::NOERROR;
    }
}

Choice choose(const zone::AnswerTable& s, const ParsedQuery& q, const ClientAddress& client,
              Reply& r, AnswerInfo* info) noexcept {
    Choice c;
    if (q.edns && q.edns_version != 0) {
        r.extended_rcode = dns::rcode::BADVERS; // RFC 6891 6.1.3
    } else if (q.qclass == dns::class_CH && !s.nsid.empty() && identity_query(q)) {
        c.identity = true;
        r.authoritative = true;
    } else if (q.qtype == dns::type::OPT || q.qtype == dns::type::NXNAME) {
        c.formerr = true;
    } else if ((q.qclass != dns::class_IN && q.qclass != dns::class_ANY) ||
               q.qtype == dns::type::AXFR || q.qtype == dns::type::IXFR) {
        // Other classes are not ours; transfers: see xfr/. QCLASS ANY is
        // answered from the IN data, as Knot and NSD do (RFC 1035 3.2.5).
        r.rcode = dns::rcode::REFUSED;
    } else if (q.qtype == dns::type::MAILA || q.qtype == dns::type::MAILB) {
        r.rcode = dns::rcode::NOTIMP;
    } else {
        find_answer(s, q, client, r, c, info);
    }
    return c;
}

// Copies a compiled answer after the question, its name compression
// patched for this query name. Drops additional RRsets from the end until it
// fits `room`; if even the answer and authority sections do not, copies
// nothing and sets TC. Returns the bytes written.
std::size_t copy_answer(const zone::ZoneArrays& z, const zone::Answer& a, const ParsedQuery& q,
                        std::size_t room, Reply& r, std::uint8_t* out) noexcept {
    std::size_t length = a.blob_length;
    std::uint16_t arcount = a.counts[2];
    if (length > room) {
        length = 0;
        arcount = 0;
        r.truncated = true;
        for (std::uint32_t c = a.cuts_begin + a.cuts_count; c-- > a.cuts_begin;)
            if (z.cuts[c].length <= room) {
                length = z.cuts[c].length;
                arcount = z.cuts[c].arcount;
                r.truncated = false;
                break;
            }
    }
    if (r.truncated) return 0;
    std::memcpy(out, z.bytes + a.blob_offset, length);
    for (std::uint32_t p = a.patches_begin; p < a.patches_begin + a.patches_count; ++p) {
        const dns::Patch& patch = z.patches[p];
        if (patch.position + 2u > length) continue;
        put16(out + patch.position,
              static_cast<std::uint16_t>(0xc000 | patch.offset(q.qname_size)));
    }
    r.counts[0] = a.counts[0];
    r.counts[1] = a.counts[1];
    r.counts[2] = arcount;
    // A referral without all its in-domain glue is sent as far as it
    // fits, with TC: the resolver asks again over TCP (RFC 9471).
    r.truncated = arcount < a.required_arcount;
    return length;
}

// The TTL of the record at `rr` (copied into the reply just before, so
// well formed) when it is an SOA; else the most a TTL may be. A negative
// answer's authority section starts with its SOA, whose TTL is the
// denial's: below a proxy name, the proxy's TTL (zone::negative_ttl).
std::uint32_t soa_ttl(const std::uint8_t* rr, const std::uint8_t* end) noexcept {
    while (rr < end && *rr != 0 && (*rr & 0xc0) != 0xc0) rr += 1 + *rr;
    rr += rr < end && *rr != 0 ? 2 : 1; // a compression pointer, or the root
    if (rr + 8 > end || dns::get16(rr) != dns::type::SOA) return 0xffffffff;
    return dns::get32(rr + 4);
}

// The NSEC and RRSIG signed for this query, after the compiled answer's
// authority section (`answer`: where that answer starts): a negative answer
// has no additional records, and a wildcard's is sent without them. When
// they do not fit, the reply is cut to its question with TC, as any answer
// too large for UDP is; when signing fails, it is SERVFAIL.
std::size_t add_denial(const zone::ZoneArrays& z, const Choice& c, const ParsedQuery& q,
                       const std::uint8_t* answer, std::size_t room, Reply& r,
                       std::uint8_t* out) noexcept {
    const dnssec::DenialSigner& signer = *z.denial;
    const std::uint8_t e = c.encloser_label;
    // An NXNAME denial has no answer records: its authority starts the answer.
    const std::size_t n =
        c.denial == Choice::Denial::nxname
            ? signer.write_nxname(q.qname, q.qname_size, q.label_count, soa_ttl(answer, out), out,
                                  room)
            : signer.write_cover(
                  q.qname, q.qname_size, e < q.label_count ? q.label_offsets[e] : q.qname_size - 1u,
                  static_cast<std::uint8_t>(q.label_count - e), q.label_offsets[e - 1], out, room);
    if (n) {
        r.counts[1] =
            static_cast<std::uint16_t>(r.counts[1] + 1 + signer.key_count()); // NSEC, RRSIGs
        return n;
    }
    if (signer.max_size(q.qname_size) > room)
        r.truncated = true;
    else
        r.rcode = dns::rcode::SERVFAIL;
    r.authoritative = false;
    std::fill(std::begin(r.counts), std::end(r.counts), std::uint16_t{0});
    return 0;
}

} // namespace

std::size_t answer_query(const zone::AnswerTable& s, const Request& request, std::uint8_t* out,
                         std::size_t out_size, AnswerInfo* info) noexcept {
    ParsedQuery local;
    ParsedQuery& q = info ? info->query : local;
    return answer_parsed(s, request, parse_query(request.data, request.size, q), q, out, out_size,
                         info);
}

bool is_transfer(const ParsedQuery& q) noexcept {
    return q.tsig || q.qtype == dns::type::AXFR || q.qtype == dns::type::IXFR;
}

std::size_t answer_parsed(const zone::AnswerTable& s, const Request& request, ParseStatus status,
                          const ParsedQuery& q, std::uint8_t* out, std::size_t out_size,
                          AnswerInfo* info) noexcept {
    switch (status) {
    case ParseStatus::drop:
        return 0;
    case ParseStatus::formerr:
        return error_reply(s, q, request.data, dns::rcode::FORMERR, out, info);
    case ParseStatus::notimp:
        return error_reply(s, q, request.data, dns::rcode::NOTIMP, out, info);
    case ParseStatus::ok:
        break;
    }
    if (info) {
        info->qtype = q.qtype;
        info->transfer = is_transfer(q);
    }
    const std::size_t limit = reply_limit(s, request, q, out_size);
    Reply r;
    r.nsid = nsid_for(s, q);
    const Choice c = choose(s, q, request.client, r, info);
    if (c.formerr) return error_reply(s, q, request.data, dns::rcode::FORMERR, out, info);
    // ECS is echoed whenever we do ECS, with scope 0 when the answer does
    // not depend on the client (RFC 7871 7.2.1).
    r.echo_ecs = q.ecs && s.ecs.enabled;
    r.rcode = static_cast<std::uint8_t>((r.rcode | r.extended_rcode) & 0x0f);

    const std::size_t question_size = q.question_end - dns::header_size;
    const std::size_t fixed = dns::header_size + question_size + opt_length(q, r) +
                              (c.identity ? identity_record_size(s) : 0);
    if (fixed > limit) return header_only(q, dns::rcode::FORMERR, out);
    std::memcpy(out + dns::header_size, request.data + dns::header_size, question_size);
    std::size_t at = dns::header_size + question_size;
    if (c.identity) {
        at += write_identity(s, out + at);
        r.counts[0] = 1;
    }
    if (c.answer) {
        const std::size_t start = at;
        std::size_t room = limit - fixed;
        if (c.denial != Choice::Denial::none && c.answer->counts[2])
            room = std::min<std::size_t>(room, c.zone->cuts[c.answer->cuts_begin].length);
        at += copy_answer(*c.zone, *c.answer, q, room, r, out + at);
        if (c.denial != Choice::Denial::none && !r.truncated && request.sign_online) {
            if (request.budget && !request.budget->take()) {
                // Over the signing budget: no answer rather than an
                // unsigned one, which validators would take as bogus.
                r.rcode = dns::rcode::SERVFAIL;
                r.authoritative = false;
                std::fill(std::begin(r.counts), std::end(r.counts), std::uint16_t{0});
                at = start;
                if (info) info->signing_refused = true;
            } else {
                const std::size_t n = add_denial(*c.zone, c, q, out + start,
                                                 limit - fixed - (at - start), r, out + at);
                at = n ? at + n : start;
                if (info) info->signed_online = n != 0;
            }
        }
    }
    if (info) {
        info->rcode = static_cast<std::uint16_t>(r.rcode | r.extended_rcode);
        info->truncated = r.truncated;
        info->question_end = static_cast<std::uint16_t>(dns::header_size + question_size);
        info->opt_size = static_cast<std::uint16_t>(opt_length(q, r));
    }
    if (q.edns) at += write_opt(s, q, r, out + at);
    write_header(q, r, out);
    return at;
}

} // namespace srvd::engine
