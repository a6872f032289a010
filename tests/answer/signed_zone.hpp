#pragma once
// Signed zones for the answer tests: a policy signed with keys ldns-keygen
// makes, and the checks a validator makes of an answer's signatures.
#include "support/test_support.hpp"

#include <set>
#include <string>

namespace srvd::test {

// The zone most signed-answer tests use: a weighted tier, a wildcard.
extern const char* const signed_zone_yaml;

// A zone signed through its policy's `dnssec: { keys: [...] }`, with keys
// ldns-keygen makes: a CSK, or a KSK and a ZSK of `zsk_algorithm`.
struct SignedZone {
    TempDir dir;
    std::shared_ptr<const zone::Snapshot> plain, signed_;
    dns::RrPtr ksk, zsk; // the DNSKEYs (one CSK: the same key twice)
    std::string keys;    // "[base, ...]", as the policy names them

    explicit SignedZone(const std::string& zsk_algorithm = "",
                        const std::string& yaml = signed_zone_yaml);

    // Makes a key in the zone's directory; returns its base name (relative,
    // as a policy names it) and sets `dnskey` from its .key file.
    std::string keygen(const std::string& options, dns::RrPtr& dnskey) const;
};

// Every RRset of a section verified by its RRSIG with `dnskey` (and
// `other_key`), as a validator would, at `at` (0: now), each signed with
// every algorithm of the keys given. Returns how many sets were verified;
// fails on a set without a signature.
int verify_section(const ldns_pkt* pkt, ldns_pkt_section section, const ldns_rr* dnskey,
                   const ldns_rr* other_key = nullptr, std::time_t at = 0);

// The key tags of the RRSIGs of a section.
std::set<int> signer_tags(const Response& r, ldns_pkt_section section = LDNS_SECTION_ANSWER);

} // namespace srvd::test
