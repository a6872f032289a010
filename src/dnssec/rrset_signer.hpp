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

// An hour back, for clocks behind ours; `days` ahead.
Validity validity_from(std::int64_t now, unsigned days);

// Null if ldns cannot sign (an empty set, records of mixed owner or type).
dns::RrPtr sign_rrset(const std::vector<const ldns_rr*>& rrset, const ZoneKey& key,
                      const Validity& validity);

} // namespace srvd::dnssec
