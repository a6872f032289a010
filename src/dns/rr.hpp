#pragma once
// Resource records as ldns holds them. ldns parses master-file text and prints
// it back; srvd only ever builds records through it.
#include "dns/ldns_owned.hpp"
#include "dns/wire.hpp"

#include <string>
#include <string_view>

namespace srvd::dns {

// Parses one master-file line relative to `origin` (a dname rdf); on failure
// returns null and sets `error` to ldns's reason.
RrPtr parse_rr(const std::string& text, const ldns_rdf* origin, std::uint32_t default_ttl,
               std::string& error);

// An rdf's bytes as ldns holds them (wire format for names).
inline std::string_view rdf_bytes(const ldns_rdf* rdf) {
    return {reinterpret_cast<const char*>(ldns_rdf_data(rdf)), ldns_rdf_size(rdf)};
}
// Whether a name is over the 255 bytes a name may have (RFC 1035 2.3.4):
// ldns completes relative names with an origin past that without a word.
inline bool longer_than_a_name(const ldns_rdf* name) {
    return ldns_rdf_size(name) > max_name_size;
}
// Whether the owner or a name in the RDATA of `rr` is longer_than_a_name.
bool has_name_too_long(const ldns_rr* rr);
// The owner in lowercased wire format: the key the zone is indexed by.
std::string owner_key(const ldns_rr* rr);
// RDATA field `index` as a lowercased wire name; empty when it is not a name.
std::string rdata_name(const ldns_rr* rr, std::size_t index);
// Everything that tells a record from another, as bytes: owner (as
// written), type, class, TTL and each RDATA field.
std::string record_bytes(const ldns_rr* rr);
// Whether two records have the same record_bytes (compared in place).
bool same_record(const ldns_rr* a, const ldns_rr* b);
std::string rr_to_text(const ldns_rr* rr);
std::string rdf_to_text(const ldns_rdf* rdf);

} // namespace srvd::dns
