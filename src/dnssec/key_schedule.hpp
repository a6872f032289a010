#pragma once
// Key rollovers that run themselves: BIND's timing metadata in a key's
// .private file (dnssec-keygen -P -A -I -D, dnssec-settime) says when a
// key is published in the DNSKEY set, signs, stops signing and leaves. A
// zone's keys at a moment (KeySet) follow from it; srvd moves keys through
// those states on its own at each event (see zone::renew_signatures), and
// `check` refuses a schedule that would leave the zone bogus.
#include "config/load_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace srvd::dnssec {

struct ZoneKey;

// Seconds since the epoch; unset: no such event (a key without timing
// metadata is published and signs from the start, for good).
struct KeyTiming {
    std::optional<std::int64_t> publish, activate, inactive, remove; // remove: BIND's Delete
};

// "Publish: 20261205120957" lines of a .private file (UTC); a malformed
// date is an error naming the line.
KeyTiming read_key_timing(const std::string& private_file);

enum class KeyState { future, published, active, retired, removed };
const char* state_name(KeyState s);
// Whether a key is in the DNSKEY set, and whether it signs, at a moment.
struct Presence {
    bool in_set = false, signing = false;
};
Presence presence_at(const KeyTiming& t, std::int64_t when);
// future: not yet in the DNSKEY set; published: in it, not signing; active:
// signing (in the DNSKEY set too, unless Activate comes before Publish or
// Delete before Inactive, as an algorithm rollover's keys do); retired: in
// the set, no longer signing; removed: gone from the set.
KeyState state_at(const KeyTiming& t, std::int64_t when);

// The next moment after `when` at which a key of `keys` changes state.
std::optional<std::int64_t> next_event(const std::vector<const ZoneKey*>& keys, std::int64_t when);

// The zone's keys at one moment, and who signs what (per algorithm: every
// RRset is signed with every algorithm that signs, RFC 4035 2.2).
struct KeySet {
    std::vector<const ZoneKey*> published; // the DNSKEY set
    std::vector<const ZoneKey*> active;    // those that sign
    std::vector<const ZoneKey*> cds;       // see ksks()
    // The KSKs (flags 257) the parent should hold DS for, as CDS and
    // CDNSKEY say (RFC 7344): published and not yet retired.
    std::vector<const ZoneKey*> ksks() const;
    // Signs the DNSKEY, CDS and CDNSKEY sets: per algorithm its active 257s,
    // or its active 256s when it has none.
    std::vector<const ZoneKey*> key_set_signers() const;
    // Signs everything else: per algorithm its active 256s, or its active
    // 257s (a CSK) when it has none.
    std::vector<const ZoneKey*> zsks() const;
    // The signers of an RRset of `type`: one of the two above.
    std::vector<const ZoneKey*> signers(std::uint16_t type) const;
};

// What makes a schedule safe for validators whose caches hold what the
// zone served before: how long DNSKEY sets and signatures stay cached
// (the largest TTL) and reach every secondary (propagation), and how long
// a DS at the parent takes to appear (parent_ds_delay).
struct ScheduleLimits {
    std::int64_t dnskey_ttl, max_ttl, propagation, parent_ds_delay;
};

// Every moment from `now` on at which the schedule would leave a validator
// with nothing to verify: a text per problem, naming the time and keys.
std::vector<std::string> schedule_problems(const std::vector<const ZoneKey*>& keys,
                                           const ScheduleLimits& limits, std::int64_t now);

// "ZSK 12345 (Kexample.com.+013+12345) active; retired at 2026-12-05T...":
// a key's state at `now` and its next event, as check and ctl status show it.
std::string describe_key(const ZoneKey& key, std::int64_t now);

// "KSK 12345 (Kexample.com.+013+12345)": a key as messages name it.
std::string key_text(const ZoneKey& key);

// "2026-12-05T12:09:57Z".
std::string utc_text(std::int64_t when);

} // namespace srvd::dnssec
