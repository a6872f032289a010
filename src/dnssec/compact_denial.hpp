#pragma once
// Compact denial of existence (RFC 9824), the load-time half: the NSEC a
// NODATA answer carries, made when answers are compiled, and the per-query
// signer (denial_signer.hpp) for names that do not exist.
#include "dnssec/denial_signer.hpp"
#include "dnssec/rrset_signer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace srvd::dnssec {

// The NSEC at a name that exists without the type asked for (an empty
// non-terminal too; or a delegation, proving it has no DS): owner `owner`
// (lowercased wire), next name "\000.owner", the types present there and
// RRSIG and NSEC. Null when the owner is too long to have a successor.
dns::RrPtr compact_nsec(const std::string& owner, std::vector<std::uint16_t> types,
                        std::uint32_t ttl);

// The types of an NSEC as its bitmap's wire bytes (RRSIG and NSEC added).
std::string nsec_bitmap(std::vector<std::uint16_t> types);

// The per-query signer of the answers for names that do not exist, with
// every key that signs the zone's other sets.
std::unique_ptr<DenialSigner> make_denial_signer(const KeySet& keys, const std::string& apex,
                                                 std::uint32_t ttl, const Validity& validity);

} // namespace srvd::dnssec
