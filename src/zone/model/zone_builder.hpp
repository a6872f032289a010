#pragma once
// Builds the load-time model of a zone (zone_view.hpp) from its policy.
#include "zone/model/zone_view.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace srvd::zone {

// Expands and checks a policy: records parse, names lie inside the zone, no
// CNAME beside other data. Throws LoadError naming the policy line. With
// `health`, down servers leave the proxies' answers (see apply_health).
// A policy with `dnssec:` has its key files read (errors at their `keys`
// entries), unless `signed_as` (the same zone, built before: a rebuild for
// a health change) lends its keys and signature validity; with `renew_at`
// (Unix seconds), signatures valid from then instead. The keys publish and
// sign as their timing metadata says at `key_time` (0: now, or signed_as's).
// Records equal to those of `served` (the same zone as served now: a
// reload, a health state prepared ahead) are shared with it rather than
// kept twice; finding them costs a health rebuild of 1,000 small zones
// about 70 ms, so a rebuild that must answer at once does without.
struct BuildOptions {
    std::vector<ServerState> health;
    const ZoneData* signed_as = nullptr;
    std::int64_t renew_at = 0;
    std::int64_t key_time = 0;
    const ZoneData* served = nullptr;
};
std::shared_ptr<ZoneData> build_zone(config::ZonePolicy policy, BuildOptions options);
std::shared_ptr<ZoneData> build_zone(config::ZonePolicy policy,
                                     std::vector<ServerState> health = {},
                                     const ZoneData* signed_as = nullptr, std::int64_t renew_at = 0,
                                     std::int64_t key_time = 0);

// Whether a signed zone must be signed again at `now` (Unix seconds): its
// signatures are past half their lifetime (Knot's rrsig-refresh), or one
// of its keys changes state (timing metadata).
bool signatures_due(const ZoneData& zone, std::int64_t now);

// For a reload: `zone`, just built from its policy, takes the validity and
// signature cache of `before` (the same zone as served) when the same keys
// sign the same types, the signature lifetime is unchanged and before's
// signatures are not due at `now`; then its compile signs only the sets the
// reload changed, and old and new share the rest (as Knot keeps valid
// RRSIGs across a reload). Returns whether it did.
bool adopt_signatures(ZoneData& zone, const ZoneData& before, std::int64_t now);
// After the compile of a zone that adopted signatures: drops the sets that
// compile did not use (the old policy's), so a server reloaded all day keeps
// the signatures of what it serves, not of every edit.
void drop_unused_signatures(const ZoneData& zone);

// Sets the SOA serial of a zone not yet shared (`soa.serial: auto`).
void set_serial(ZoneData& zone, std::uint32_t serial);

} // namespace srvd::zone
