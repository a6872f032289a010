#include "dnssec/key_schedule.hpp"

#include "dnssec/zone_keys.hpp"
#include "util/iso_time.hpp"

#include <algorithm>
#include <ctime>
#include <fstream>
#include <set>

namespace srvd::dnssec {
namespace {

// "20261205120957" (UTC), as BIND writes timing metadata.
std::optional<std::int64_t> parse_time(const std::string& text) {
    if (text.size() != 14 || !std::all_of(text.begin(), text.end(), ::isdigit)) return std::nullopt;
    std::tm tm{};
    tm.tm_year = std::stoi(text.substr(0, 4)) - 1900;
    tm.tm_mon = std::stoi(text.substr(4, 2)) - 1;
    tm.tm_mday = std::stoi(text.substr(6, 2));
    tm.tm_hour = std::stoi(text.substr(8, 2));
    tm.tm_min = std::stoi(text.substr(10, 2));
    tm.tm_sec = std::stoi(text.substr(12, 2));
    return static_cast<std::int64_t>(timegm(&tm));
}

// Per algorithm, the keys of `keys` with `preferred` flags, or all of that
// algorithm's keys when none has them.
std::vector<const ZoneKey*> per_algorithm(const std::vector<const ZoneKey*>& keys,
                                          std::uint16_t preferred) {
    std::vector<const ZoneKey*> out;
    for (const ZoneKey* k : keys) {
        const bool has_preferred = std::any_of(keys.begin(), keys.end(), [&](const ZoneKey* o) {
            return o->algorithm == k->algorithm && o->flags == preferred;
        });
        if (k->flags == preferred || !has_preferred) out.push_back(k);
    }
    return out;
}

KeySet set_at(const std::vector<const ZoneKey*>& keys, std::int64_t when) {
    KeySet s;
    for (const ZoneKey* k : keys) {
        const Presence p = presence_at(k->timing, when);
        if (p.in_set) s.published.push_back(k);
        if (p.signing) s.active.push_back(k);
        if (p.in_set && k->flags == sep_key_flags && state_at(k->timing, when) != KeyState::retired)
            s.cds.push_back(k);
    }
    return s;
}

} // namespace

std::string key_text(const ZoneKey& k) {
    return std::string(k.flags == sep_key_flags ? "KSK " : "ZSK ") + std::to_string(k.tag) + " (" +
           k.file.substr(k.file.rfind('/') + 1) + ")";
}

std::string utc_text(std::int64_t when) {
    return iso_time(std::chrono::system_clock::from_time_t(static_cast<std::time_t>(when)));
}

std::string describe_key(const ZoneKey& k, std::int64_t now) {
    std::string line = key_text(k) + " " + state_name(state_at(k.timing, now));
    if (const auto next = next_event({&k}, now))
        line +=
            "; " + std::string(state_name(state_at(k.timing, *next))) + " at " + utc_text(*next);
    return line;
}

KeyTiming read_key_timing(const std::string& private_file) {
    KeyTiming t;
    std::ifstream in(private_file);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const std::string name = line.substr(0, colon);
        std::optional<std::int64_t>* field = name == "Publish"    ? &t.publish
                                             : name == "Activate" ? &t.activate
                                             : name == "Inactive" ? &t.inactive
                                             : name == "Delete"   ? &t.remove
                                                                  : nullptr;
        if (!field) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        value.erase(value.find_last_not_of(" \t\r") + 1);
        *field = parse_time(value);
        if (!*field)
            throw config::LoadError({private_file, number, static_cast<int>(colon) + 3},
                                    name + ": expected YYYYMMDDHHMMSS (UTC), as dnssec-keygen "
                                           "and dnssec-settime write it");
    }
    // Without Publish, a key is published when it starts to sign (BIND's rule).
    if (!t.publish && t.activate) t.publish = t.activate;
    return t;
}

const char* state_name(KeyState s) {
    static const char* names[] = {"future", "published", "active", "retired", "removed"};
    return names[static_cast<int>(s)];
}

Presence presence_at(const KeyTiming& t, std::int64_t when) {
    Presence p;
    p.in_set = (!t.publish || when >= *t.publish) && (!t.remove || when < *t.remove);
    // Signs from Activate (without it, from Publish) until Inactive; a key
    // deleted from the DNSKEY set stops with it, unless it has an Inactive
    // time of its own after: an algorithm rollover takes the old DNSKEYs
    // out before their signatures (RFC 6781 4.1.4).
    const bool started = t.activate ? when >= *t.activate : !t.publish || when >= *t.publish;
    const bool stopped = t.inactive ? when >= *t.inactive : t.remove && when >= *t.remove;
    p.signing = started && !stopped;
    return p;
}

KeyState state_at(const KeyTiming& t, std::int64_t when) {
    const Presence p = presence_at(t, when);
    if (p.signing) return KeyState::active;
    if (p.in_set)
        return t.inactive && when >= *t.inactive ? KeyState::retired : KeyState::published;
    return t.publish && when < *t.publish ? KeyState::future : KeyState::removed;
}

std::optional<std::int64_t> next_event(const std::vector<const ZoneKey*>& keys, std::int64_t when) {
    std::optional<std::int64_t> next;
    for (const ZoneKey* k : keys)
        for (const auto& at :
             {k->timing.publish, k->timing.activate, k->timing.inactive, k->timing.remove})
            if (at && *at > when && (!next || *at < *next)) next = at;
    return next;
}

std::vector<const ZoneKey*> KeySet::ksks() const {
    return cds;
}

std::vector<const ZoneKey*> KeySet::key_set_signers() const {
    return per_algorithm(active, sep_key_flags);
}

std::vector<const ZoneKey*> KeySet::zsks() const {
    return per_algorithm(active, zone_key_flags);
}

std::vector<const ZoneKey*> KeySet::signers(std::uint16_t type) const {
    return type == LDNS_RR_TYPE_DNSKEY || type == LDNS_RR_TYPE_CDS || type == LDNS_RR_TYPE_CDNSKEY
               ? key_set_signers()
               : zsks();
}

namespace {

// A schedule's checks, over the keys, against the limits, from `now`.
class ScheduleCheck {
  public:
    ScheduleCheck(const std::vector<const ZoneKey*>& keys, const ScheduleLimits& limits,
                  std::int64_t now)
        : keys_(keys), limits_(limits), now_(now) {}

    std::vector<std::string> run() {
        std::set<std::int64_t> moments{now_};
        for (auto t = next_event(keys_, now_); t; t = next_event(keys_, *t)) moments.insert(*t);
        for (const std::int64_t t : moments) check_moment(t);
        for (const ZoneKey* k : keys_) check_removal(*k), check_ksk_successor(*k);
        return std::move(out_);
    }

  private:
    // Long enough in the DNSKEY set that every validator's cached copy has it.
    bool cached(const ZoneKey* k, std::int64_t t, std::int64_t need) const {
        return !k->timing.publish || *k->timing.publish <= now_ || *k->timing.publish <= t - need;
    }

    // What the zone publishes and signs with from `t` on.
    void check_moment(std::int64_t t) {
        const KeySet s = set_at(keys_, t);
        std::set<std::uint8_t> algorithms;
        for (const ZoneKey* k : s.published) algorithms.insert(k->algorithm);
        if (s.active.empty() && !s.published.empty()) {
            out_.push_back("from " + utc_text(t) + " no key signs: every answer would be bogus");
            return;
        }
        const std::int64_t need = limits_.dnskey_ttl + limits_.propagation;
        for (const auto& role : {s.key_set_signers(), s.zsks()}) {
            // Every algorithm in the DNSKEY set signs (RFC 4035 2.2).
            for (const std::uint8_t a : algorithms)
                if (std::none_of(role.begin(), role.end(),
                                 [&](const ZoneKey* k) { return k->algorithm == a; }))
                    out_.push_back("from " + utc_text(t) + " algorithm " + std::to_string(a) +
                                   " is in the DNSKEY set but no key of it signs: every RRset "
                                   "must be signed with every algorithm there (RFC 4035 2.2)");
            // Some signature a validator holding the DNSKEY set from before
            // `t` can verify: a key in that set since TTL + propagation. (An
            // algorithm rollover's new keys may sign before they are
            // published: the old algorithm's signatures still verify.)
            if (t > now_ && !role.empty() &&
                std::none_of(role.begin(), role.end(),
                             [&](const ZoneKey* k) { return cached(k, t, need); }))
                out_.push_back("at " + utc_text(t) + " " + key_text(*role.front()) +
                               " starts to sign alone, published only since " +
                               utc_text(role.front()->timing.publish.value_or(t)) +
                               ": validators holding the DNSKEY set from before cannot verify "
                               "it; publish it by " +
                               utc_text(t - need) + " (DNSKEY TTL " +
                               std::to_string(limits_.dnskey_ttl) + " s + propagation " +
                               std::to_string(limits_.propagation) + " s)");
        }
        if (!s.published.empty() &&
            std::none_of(s.published.begin(), s.published.end(),
                         [](const ZoneKey* k) { return k->flags == sep_key_flags; }))
            out_.push_back("from " + utc_text(t) +
                           " the DNSKEY set holds no KSK (flags 257) for the parent's DS");
    }

    // A key leaves the DNSKEY set only once the signatures it made are out
    // of caches.
    void check_removal(const ZoneKey& k) {
        const auto& tm = k.timing;
        if (!tm.remove || *tm.remove <= now_) return;
        const std::int64_t stops = tm.inactive ? std::min(*tm.inactive, *tm.remove) : *tm.remove;
        const std::int64_t need = limits_.max_ttl + limits_.propagation;
        // Leaving the set while still signing (an algorithm rollover) is safe
        // when a key of another algorithm has signed long enough that every
        // cached answer carries its signature too.
        const bool covered =
            presence_at(tm, *tm.remove).signing &&
            std::any_of(keys_.begin(), keys_.end(), [&](const ZoneKey* o) {
                if (o->algorithm == k.algorithm || !presence_at(o->timing, *tm.remove).signing)
                    return false;
                const auto since = o->timing.activate ? o->timing.activate : o->timing.publish;
                return !since || *since <= now_ || *since <= *tm.remove - need;
            });
        if (!covered && *tm.remove - stops < need)
            out_.push_back(key_text(k) + " leaves the DNSKEY set at " + utc_text(*tm.remove) +
                           ", " + std::to_string(*tm.remove - stops) + " s after it stops signing" +
                           ": signatures it made stay cached up to " + std::to_string(need) +
                           " s (largest TTL + propagation); delete it at " +
                           utc_text(stops + need) + " or later");
    }

    // A KSK stops signing the DNSKEY set only when another, whose DS the
    // parent can have by then, signs it.
    void check_ksk_successor(const ZoneKey& k) {
        const auto& tm = k.timing;
        if (k.flags != sep_key_flags || !tm.inactive || *tm.inactive <= now_) return;
        const KeySet s = set_at(keys_, *tm.inactive);
        const std::int64_t need = limits_.parent_ds_delay + limits_.propagation;
        if (std::none_of(s.active.begin(), s.active.end(), [&](const ZoneKey* o) {
                return o != &k && o->flags == sep_key_flags && cached(o, *tm.inactive, need);
            }))
            out_.push_back(key_text(k) + " stops signing the DNSKEY set at " +
                           utc_text(*tm.inactive) +
                           ", but no KSK that signs then has been published (CDS) for the "
                           "parent's DS delay + propagation (" +
                           std::to_string(need) + " s)");
    }

    const std::vector<const ZoneKey*>& keys_;
    const ScheduleLimits& limits_;
    std::int64_t now_;
    std::vector<std::string> out_;
};

} // namespace

std::vector<std::string> schedule_problems(const std::vector<const ZoneKey*>& keys,
                                           const ScheduleLimits& limits, std::int64_t now) {
    return ScheduleCheck(keys, limits, now).run();
}

KeySet ZoneKeys::at(std::int64_t when) const {
    std::vector<const ZoneKey*> all;
    for (const ZoneKey& k : keys) all.push_back(&k);
    return set_at(all, when);
}

} // namespace srvd::dnssec
