#pragma once
// A whole zone signed for secondaries and `srvd export` (RFC 4035 2): an
// NSEC chain over its names and an RRSIG for every authoritative RRset,
// through ldns (delegations' NS and glue unsigned, the DNSKEY
// set by the KSKs, the rest by the ZSKs, every set by every algorithm). Queries are answered from
// the compiled answers instead, with compact denial (compact_denial.hpp).
#include "dnssec/rrset_signer.hpp"

#include <vector>

namespace srvd::dnssec {

// The records signing adds to `soa` and `records` (the NSECs and RRSIGs).
std::vector<dns::RrPtr> sign_zone(const ldns_rr* soa, const std::vector<const ldns_rr*>& records,
                                  const KeySet& keys, const Validity& validity);

} // namespace srvd::dnssec
