#pragma once
// DNS wire-format constants and big-endian helpers shared by the compiler and
// the packet path. Kept header-only so the packet path inlines them.
#include <cstddef>
#include <cstdint>
#include <string>

namespace srvd::dns {

constexpr std::size_t header_size = 12;
constexpr std::size_t max_name_size = 255;
constexpr std::size_t classic_udp_size = 512; // RFC 1035 4.2.1, without EDNS
constexpr std::size_t max_message_size = 65535;

namespace type {
constexpr std::uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16, AAAA = 28,
                        SRV = 33, NAPTR = 35, DNAME = 39, OPT = 41, DS = 43, RRSIG = 46, NSEC = 47,
                        DNSKEY = 48, NXNAME = 128,
                        TSIG = 250, IXFR = 251, AXFR = 252, MAILB = 253, MAILA = 254, ANY = 255;
}
constexpr std::uint16_t class_IN = 1, class_CH = 3, class_ANY = 255;

// EDNS option codes (IANA "DNS EDNS0 Option Codes").
namespace option {
constexpr std::uint16_t NSID = 3, ECS = 8, EDE = 15;
}

namespace rcode {
constexpr std::uint8_t NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4,
                       REFUSED = 5, NOTAUTH = 9;
constexpr std::uint16_t BADVERS = 16; // extended: upper 8 bits go in the OPT TTL
} // namespace rcode

// Header flag bits in byte 2 and byte 3 of the message.
namespace flag2 {
constexpr std::uint8_t QR = 0x80, AA = 0x04, TC = 0x02, RD = 0x01, OPCODE = 0x78;
}
namespace flag3 {
constexpr std::uint8_t RA = 0x80, AD = 0x20, CD = 0x10, RCODE = 0x0f;
}

inline std::uint16_t get16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t get32(const std::uint8_t* p) {
    return std::uint32_t{get16(p)} << 16 | get16(p + 2);
}
inline void put16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
inline void put32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}
// Appends the low `bytes` bytes of `v`, most significant first (48-bit TSIG
// times, sort keys, digest input).
inline void append_uint(std::string& out, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i) & 0xff));
}
inline std::uint8_t ascii_lower(std::uint8_t c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + 32) : c;
}

} // namespace srvd::dns
