#pragma once
// Resource records as ldns holds them. ldns parses master-file text and prints
// it back; srvd only ever builds records through it.
#include "dns/ldns.hpp"

#include <memory>
#include <string>

namespace srvd::dns {

struct RrDeleter {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
using RrPtr = std::unique_ptr<ldns_rr, RrDeleter>;

struct RdfDeleter {
    void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
using RdfPtr = std::unique_ptr<ldns_rdf, RdfDeleter>;

// Parses one master-file line relative to `origin` (a dname rdf); on failure
// returns null and sets `error` to ldns's reason.
RrPtr parse_rr(const std::string& text, const ldns_rdf* origin, std::uint32_t default_ttl,
               std::string& error);

// The owner in lowercased wire format: the key the zone is indexed by.
std::string owner_key(const ldns_rr* rr);
std::string rr_to_text(const ldns_rr* rr);

} // namespace srvd::dns
