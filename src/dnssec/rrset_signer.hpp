#pragma once
// One RRSIG over one RRset (RFC 4034 3), through ldns. The signature covers
// the RRset in canonical form and order (RFC 4034 6.3), so every ordering a
// client gets of one set (the weighted SRV shuffles) shares one signature.
#include "dnssec/zone_keys.hpp"

#include <cstdint>
#include <vector>

namespace srvd::dnssec {

// Validity, in seconds since the epoch (RFC 4034 3.1.5).
struct Validity {
    std::uint32_t inception;
    std::uint32_t expiration;
};

// The start of `now`'s day (UTC). Signatures are made valid from a day's
// start, so a zone signed again the same day (a restart) gets the same
// validity, and with it the same automatic serial: its secondaries need
// not transfer it again.
std::int64_t day_start(std::int64_t now);

// From an hour before `start` (for clocks behind ours) to `days` after it.
Validity validity_from(std::int64_t start, unsigned days);

// A key list for ldns's signers that borrows the zone's keys: freeing it
// frees the list, not the keys, and leaves every key usable (ldns marks
// KSKs unused while it signs other sets).
struct BorrowedKeysDeleter {
    void operator()(ldns_key_list* l) const;
};
using BorrowedKeys = std::unique_ptr<ldns_key_list, BorrowedKeysDeleter>;

// `keys`, set to sign with `validity` (ldns reads it from the key; the
// compiler and the zone signer run on one thread at a time).
BorrowedKeys borrow_keys(const std::vector<const ZoneKey*>& keys, const Validity& validity);

// Null if ldns cannot sign (an empty set, records of mixed owner or type).
dns::RrPtr sign_rrset(const std::vector<const ldns_rr*>& rrset, const ZoneKey& key,
                      const Validity& validity);

} // namespace srvd::dnssec
