#pragma once
// Header, question and EDNS of a query, parsed by hand: this is the packet
// path, and a general-purpose parser (ldns) would allocate a packet object
// per query and decode sections a query never needs.
#include "dns/wire.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace srvd::engine {

// What later stages need of a query, read once: the engine answers from
// it, and the transfer layer (AXFR, IXFR, TSIG) takes it over as it is.
struct ParsedQuery {
    std::uint16_t id;
    std::uint8_t opcode;
    bool rd, cd;
    std::uint8_t qname[256]; // lowercased wire
    std::uint8_t qname_size;
    std::uint8_t label_offsets[128]; // where each label starts in qname
    std::uint8_t label_count;
    std::uint16_t qtype, qclass;
    std::size_t question_end; // offset just past QCLASS in the query
    bool edns;
    std::uint16_t edns_payload;
    std::uint8_t edns_version;
    bool edns_do;
    bool edns_co; // Compact Answers OK (RFC 9824 5): NXDOMAIN may stand with compact denial
    bool nsid;    // the NSID option (RFC 5001): the client asks who answers
    bool tsig;    // signed (RFC 8945): the transfer layer verifies and signs
    std::uint16_t tsig_offset; // where the TSIG record (the last one) starts
    // IXFR (RFC 1995): the serial of the client's SOA in the authority section.
    bool has_ixfr_serial;
    std::uint32_t ixfr_serial;
    // EDNS Client Subnet (RFC 7871), validated.
    bool ecs;
    std::uint8_t ecs_family;      // 1: IPv4, 2: IPv6
    std::uint8_t ecs_source;      // SOURCE PREFIX-LENGTH
    std::uint8_t ecs_address[16]; // zero beyond the source prefix
};

enum class ParseStatus {
    ok,
    drop,    // no header to answer, or a response: stay silent
    formerr, // header is usable, the rest is malformed
    notimp,  // an opcode we do not implement
};

ParseStatus parse_query(const std::uint8_t* data, std::size_t size, ParsedQuery& q) noexcept;

// The largest UDP reply the client takes (RFC 6891 6.2.5): its EDNS payload,
// at least 512 and at most what this server offers (`offered`); 512 without
// EDNS. The one rule, for answers and transfers alike.
constexpr std::size_t udp_reply_limit(const ParsedQuery& q, std::uint16_t offered) noexcept {
    return q.edns ? std::clamp<std::size_t>(q.edns_payload, dns::classic_udp_size,
                                            std::max<std::size_t>(offered, dns::classic_udp_size))
                  : dns::classic_udp_size;
}

} // namespace srvd::engine
