#pragma once
// A zone policy expanded into resource records: one view per region (the
// proxies' SRV orderings differ between views, everything else is shared).
// This is the load-time model that answers, export and explain are built from.
#include "config/zone_policy.hpp"
#include "dns/rr.hpp"
#include "dnssec/rrset_signer.hpp"
#include "health/server_health.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace srvd::zone {

struct RRset {
    std::uint16_t type;
    std::vector<const ldns_rr*> rrs;
};

struct ViewNode {
    std::vector<RRset> rrsets; // empty for an empty non-terminal
    const RRset* find(std::uint16_t type) const {
        for (const auto& s : rrsets)
            if (s.type == type) return &s;
        return nullptr;
    }
};

struct ZoneView {
    std::string apex;                                   // lowercased wire
    std::map<std::string, ViewNode, std::less<>> nodes; // every name, empty non-terminals too
    const ldns_rr* soa = nullptr;
    // Proxy names (lowercased wire) and their TTL: a negative answer at or
    // below one (NODATA when health leaves it empty) is cached no longer
    // than its records would be.
    std::map<std::string, std::uint32_t, std::less<>> proxy_ttls;

    const ViewNode* find(std::string_view name) const {
        auto it = nodes.find(name);
        return it == nodes.end() ? nullptr : &it->second;
    }
};

// Marks a generated record (proxy SRV, proxy A/AAAA) with the tier it
// belongs to, so answers can order each tier per client.
struct TierTag {
    std::uint32_t tier;     // index into ZoneData::tier_weights
    std::uint16_t position; // the tier's place in its ordering (0: first)
    std::uint16_t member;   // the member's index within the tier
    bool regional;          // a GeoIP-aware proxy's: differs between views
};

using health::ServerHealth;
using health::ServerState;

struct ZoneData {
    config::ZonePolicy policy;
    std::vector<ServerState> health; // per media server; all up without checks
    std::string apex;                // lowercased wire
    // Owns every record the views point at; records equal to those of the
    // zone it replaces (a reload, a health rebuild) are that zone's, shared.
    std::vector<dns::RrShared> storage;
    std::vector<ZoneView> views; // index = region (policy.view_count())
    std::vector<std::vector<std::uint16_t>> tier_weights;
    std::unordered_map<const ldns_rr*, TierTag> tier_tags;
    // The owners (lowercased wire) of GeoIP-aware proxies' records: the proxy
    // name and its SRV names. An answer that touches one depends on the region
    // even where one region's records are all gone (health, serve-none).
    std::unordered_set<std::string> regional_owners;
    // DNSSEC keys: with them every answer is compiled a second time with the
    // RRSIG of each RRset, for queries with the DO bit. Null: unsigned.
    std::shared_ptr<const dnssec::ZoneKeys> keys;
    // The keys as of `key_time` (their timing metadata): published and
    // signing. A health rebuild keeps them; at `next_key_event` the zone is
    // signed again with the keys of then (zone::renew_signatures).
    dnssec::KeySet key_set;
    std::int64_t key_time = 0;
    std::optional<std::int64_t> next_key_event;
    dnssec::Validity validity{};
    // The RRSIGs made so far under `validity`, by RRset content (see the
    // zone compiler): shared by the rebuilds that keep the validity (health
    // changes, drains) and by a reload that keeps the signers
    // (adopt_signatures), so a set seen before is not signed again. Written
    // only by the thread compiling the zone.
    struct SignatureCache {
        struct Entry {
            std::vector<dns::RrPtr> signatures;
            std::uint64_t used_by = 0; // the last compile that needed the set
        };
        std::unordered_map<std::string, Entry> by_content;
        std::uint64_t compiles = 0;
    };
    std::shared_ptr<SignatureCache> signature_cache;

    const ZoneView& default_view() const { return views[policy.default_view()]; }
};

} // namespace srvd::zone
