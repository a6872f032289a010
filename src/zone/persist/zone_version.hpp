#pragma once
// What secondaries receive: a zone's default view as of one serial. Health
// state is left out on purpose: a secondary cannot probe media servers, and a
// flapping server must not bump serials and start a NOTIFY storm. Each zone
// also keeps a journal of its last changes (as Knot does), for IXFR.
#include "zone/model/zone_view.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace srvd::zone {

struct ZoneVersion {
    std::uint32_t serial = 0;
    std::uint64_t digest = 0;              // of the records, serial excluded
    std::shared_ptr<const ZoneData> owner; // keeps `records` alive
    const ldns_rr* soa = nullptr;
    std::vector<const ldns_rr*> records; // every record but the SOA, sorted by key
    std::vector<std::string> keys;       // records[i]'s identity (see record_key)
    // A signed zone's NSEC chain and RRSIGs (among `records`), owned here.
    std::vector<dns::RrPtr> signatures;
};

// One serial change: what IXFR (RFC 1995) sends for it. Owns copies of its
// records, so older zone data need not stay in memory.
struct Changeset {
    dns::RrPtr from_soa, to_soa;
    std::vector<dns::RrPtr> removed, added;
    std::uint32_t from_serial() const;
    std::uint32_t to_serial() const;
};

struct ZoneTransfer {
    std::string name; // "example.com."
    std::shared_ptr<const ZoneVersion> current;
    std::vector<std::shared_ptr<const Changeset>> journal; // oldest first, ends at current

    // The changes from `serial` to the current version, or empty when the
    // journal does not reach back that far (the client gets AXFR instead).
    std::vector<const Changeset*> changes_since(std::uint32_t serial) const;
};

// The default view of `zone`, sorted, as AXFR sends it. A signed zone's
// digest covers its signatures' validity too: signing again (renewal) is a
// change its secondaries must get.
std::shared_ptr<ZoneVersion> make_version(std::shared_ptr<const ZoneData> zone);

// Adds a signed zone's NSEC chain and RRSIGs to its version, once the
// serial is final (the SOA's RRSIG covers it).
void sign_version(ZoneVersion& version);

// What changed from one version to the next.
std::shared_ptr<const Changeset> make_changeset(const ZoneVersion& from, const ZoneVersion& to);

// RFC 1982 serial arithmetic: is `a` newer than `b`?
bool serial_newer(std::uint32_t a, std::uint32_t b);

} // namespace srvd::zone
