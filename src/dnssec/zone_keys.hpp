#pragma once
// A zone's DNSSEC keys, read from BIND-format key files (Kzone.+013+12345.key
// and .private, as ldns-keygen, dnssec-keygen and Knot's keymgr write them)
// with ldns. Groundwork for online signing (DESIGN.md section 11): nothing
// serves these keys yet.
#include "config/load_error.hpp"
#include "dns/rr.hpp"

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
};

struct KeyFile {
    std::string path; // with or without .key / .private
    config::SourceMark mark;
};

struct ZoneKeys {
    std::vector<ZoneKey> keys;
    // Signs the DNSKEY RRset: the keys with flags 257.
    std::vector<const ZoneKey*> ksks() const;
    // Signs everything else: the keys with flags 256, or the 257 (a CSK) when there is none.
    std::vector<const ZoneKey*> zsks() const;
};

// Reads every key; a key file that cannot be used is a LoadError at its
// `keys` entry: missing or unreadable, a key for another zone, an algorithm
// other than 13 or 15, a private key without its public half, a public key
// and private key that do not belong together. Without a key with flags 257
// the error is at `keys_mark`. All of a zone's errors are reported together.
ZoneKeys load_zone_keys(const std::string& apex_text, const std::vector<KeyFile>& files,
                        const config::SourceMark& keys_mark);

// The DS record (SHA-256 digest, RFC 4509) the parent publishes for a key.
dns::RrPtr ds_record(const ZoneKey& key);

} // namespace srvd::dnssec
