#pragma once
// What ldns hands back for the caller to free, owned: records, fields,
// packets, and the malloc'd text and wire buffers of its *2str and *2wire
// functions. Every such object in srvd goes through one of these, so no
// early return or exception leaks one.
#include "dns/ldns.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

namespace srvd::dns {

struct RrDeleter {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
using RrPtr = std::unique_ptr<ldns_rr, RrDeleter>;
// A record held by several zone models at once (a reload or a health
// rebuild shares the records that did not change with the zone it replaces).
using RrShared = std::shared_ptr<ldns_rr>;

struct RdfDeleter {
    void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
using RdfPtr = std::unique_ptr<ldns_rdf, RdfDeleter>;

struct PktDeleter {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktDeleter>;

struct MallocDeleter {
    void operator()(void* p) const { std::free(p); }
};

// ldns's malloc'd text as a string (`fallback` when ldns gave none).
inline std::string owned_text(char* text, const char* fallback = "") {
    const std::unique_ptr<char, MallocDeleter> owned(text);
    return owned ? std::string(owned.get()) : std::string(fallback);
}

// A packet in wire format; empty when ldns cannot write it.
inline std::string packet_wire(const ldns_pkt* pkt) {
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    const ldns_status status = ldns_pkt2wire(&wire, pkt, &size);
    const std::unique_ptr<std::uint8_t, MallocDeleter> owned(wire);
    if (status != LDNS_STATUS_OK || !owned) return {};
    return std::string(reinterpret_cast<const char*>(owned.get()), size);
}

} // namespace srvd::dns
