#pragma once
// A zone's DNSSEC keys, read from BIND-format key files (Kzone.+013+12345.key
// and .private, as ldns-keygen, dnssec-keygen and Knot's keymgr write them)
// with ldns, with their timing metadata (key_schedule.hpp).
#include "config/load_error.hpp"
#include "dns/rr.hpp"
#include "dnssec/key_schedule.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace srvd::dnssec {

struct KeyDeleter {
    void operator()(ldns_key* k) const { ldns_key_deep_free(k); }
};
using KeyPtr = std::unique_ptr<ldns_key, KeyDeleter>;

// DNSSEC algorithms signed with (RFC 8624's recommended ones).
constexpr std::uint8_t ecdsap256sha256 = 13, ed25519 = 15;
// DNSKEY flags: a zone key, and one that is also a secure entry point (KSK or CSK).
constexpr std::uint16_t zone_key_flags = 256, sep_key_flags = 257;

struct ZoneKey {
    KeyPtr key;        // the private key, owner and flags set from the .key file
    dns::RrPtr dnskey; // the public half as published
    std::uint16_t tag; // RFC 4034 appendix B
    std::uint16_t flags;
    std::uint8_t algorithm;
    std::string file; // the base name, for messages
    KeyTiming timing; // when it is published and signs (none: always)
};

struct KeyFile {
    std::string path; // with or without .key / .private
    config::SourceMark mark;
};

// A zone's keys, whatever their state; at(t) says which are published and
// which sign at a moment, and so who signs what.
struct ZoneKeys {
    std::vector<ZoneKey> keys;
    KeySet at(std::int64_t when) const;
};

// Reads every key; a key file that cannot be used is a LoadError at its
// `keys` entry: missing or unreadable, a key for another zone, an algorithm
// other than 13 or 15, a private key without its public half, a public key
// and private key that do not belong together. Without a key with flags 257
// the error is at `keys_mark`; a key listed twice (under two names too) is an
// error at its second entry. All of a zone's errors are reported together.
ZoneKeys load_zone_keys(const std::string& apex_text, const std::vector<KeyFile>& files,
                        const config::SourceMark& keys_mark);

// A key's DNSKEY as the zone publishes it: with the zone's TTL.
dns::RrPtr published_dnskey(const ZoneKey& key, std::uint32_t ttl);

// The DS record (SHA-256 digest, RFC 4509) the parent publishes for a key,
// with `ttl` (the DNSKEY's, when the parent has no TTL of its own for it).
dns::RrPtr ds_record(const ZoneKey& key, std::uint32_t ttl);

} // namespace srvd::dnssec
