#pragma once
// Authoritative lookup over one view of a zone (RFC 1034 4.3.2, RFC 4592
// wildcards, RFC 2308 negative answers). It runs at load time only: its
// results are compiled to wire format, so it favours clarity over speed.
#include "zone/model/zone_view.hpp"

#include <optional>
#include <string>
#include <vector>

namespace srvd::zone {

struct LookupItem {
    const RRset* set;
    std::string owner; // wildcard synthesis: the name to write; empty: the records' own
    bool owner_is_qname = false;
    std::optional<std::uint32_t> ttl; // negative answers: the SOA's TTL is capped by its minimum
};

struct LookupResult {
    std::uint8_t rcode = 0;
    bool authoritative = true;
    // A referral's glue for name servers inside the delegated zone: the
    // additional section's first records, without which a resolver cannot
    // follow it, so a reply that cannot hold them all sets TC (RFC 9471).
    std::uint16_t required_additional = 0;
    std::vector<LookupItem> sections[3]; // answer, authority, additional
};

// `qname` is lowercased wire inside the view's zone; qtype 0 matches no type
// (it yields what "any other type" gets).
LookupResult lookup(const ZoneView& view, std::string_view qname, std::uint16_t qtype);

// The TTL of a negative answer's SOA (RFC 2308 3): the lesser of its TTL and
// MINIMUM; the NSEC records of a denial get the same (RFC 9077).
std::uint32_t negative_ttl(const ldns_rr* soa);
// The same for a negative answer about `name` (lowercased wire): at or below
// a proxy name, never longer than the proxy's own TTL.
std::uint32_t negative_ttl(const ZoneView& view, std::string_view name);

// The highest delegation point strictly below the apex at or above `name`.
std::optional<std::string> find_cut(const ZoneView& view, std::string_view name);

} // namespace srvd::zone
