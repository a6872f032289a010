// Key rollovers from BIND timing metadata (dnssec-keygen -P -A -I -D): a
// key's states over time, the zone's key set at each moment, and the
// schedules `check` refuses because they would leave validators with
// nothing to verify.
#include "config/load_error.hpp"
#include "dnssec/key_schedule.hpp"
#include "dnssec/zone_keys.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>

using namespace srvd;

namespace {

std::string stamp(std::int64_t t) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buffer[16];
    std::strftime(buffer, sizeof buffer, "%Y%m%d%H%M%S", &tm);
    return buffer;
}

// dnssec-keygen in `dir` with `options`; returns the key's base path.
std::string keygen(const test::TempDir& dir, const std::string& options) {
    const std::string command = "cd '" + dir.path() + "' && dnssec-keygen -q " + options +
                                " example.com > key.out 2>/dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
    std::ifstream out(dir.path() + "/key.out");
    std::string base;
    std::getline(out, base);
    return dir.path() + "/" + base;
}

std::string times(std::int64_t p, std::int64_t a, std::int64_t i, std::int64_t d) {
    std::string o;
    if (p) o += " -P " + stamp(p);
    if (a) o += " -A " + stamp(a);
    if (i) o += " -I " + stamp(i);
    if (d) o += " -D " + stamp(d);
    return o;
}

config::SourceMark mark(int line) {
    return {"zone.yaml", line, 7};
}

std::vector<int> tags(const std::vector<const dnssec::ZoneKey*>& keys) {
    std::vector<int> out;
    for (const auto* k : keys) out.push_back(k->tag);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<int> tags(std::initializer_list<const dnssec::ZoneKey*> keys) {
    return tags(std::vector<const dnssec::ZoneKey*>(keys));
}

} // namespace

TEST_CASE("timing metadata: read from the .private file, states over time, the next event") {
    test::TempDir dir;
    const std::int64_t t = 2'000'000'000; // 2033: fixed, whatever today is
    const std::string base =
        keygen(dir, "-a ECDSAP256SHA256 -f KSK" + times(t, t + 100, t + 200, t + 300));
    const auto timing = dnssec::read_key_timing(base + ".private");
    REQUIRE(timing.publish);
    CHECK(*timing.publish == t);
    CHECK(*timing.activate == t + 100);
    CHECK(*timing.inactive == t + 200);
    CHECK(*timing.remove == t + 300);
    using S = dnssec::KeyState;
    CHECK(dnssec::state_at(timing, t - 1) == S::future);
    CHECK(dnssec::state_at(timing, t) == S::published);
    CHECK(dnssec::state_at(timing, t + 100) == S::active);
    CHECK(dnssec::state_at(timing, t + 250) == S::retired);
    CHECK(dnssec::state_at(timing, t + 300) == S::removed);
    // Without metadata (ldns-keygen): published and signing, for good.
    CHECK(dnssec::state_at({}, t) == S::active);

    auto keys = dnssec::load_zone_keys("example.com.", {{base, mark(3)}}, mark(2));
    const dnssec::ZoneKey* k = &keys.keys[0];
    CHECK(dnssec::next_event({k}, t - 5) == t);
    CHECK(dnssec::next_event({k}, t + 100) == t + 200);
    CHECK_FALSE(dnssec::next_event({k}, t + 300));

    // A date dnssec-settime would never write is an error naming its line.
    std::ofstream(base + ".private", std::ios::app) << "Inactive: 2033-05-18\n";
    CHECK_THROWS_WITH_AS(dnssec::read_key_timing(base + ".private"),
                         doctest::Contains("Inactive: expected YYYYMMDDHHMMSS"), config::LoadError);
}

TEST_CASE("a ZSK pre-publish rollover: the DNSKEY set and the signers at each step") {
    test::TempDir dir;
    const std::int64_t t = 2'000'000'000;
    const std::string ksk =
        keygen(dir, "-a ECDSAP256SHA256 -f KSK" + times(t - 9000, t - 9000, 0, 0));
    const std::string old_zsk =
        keygen(dir, "-a ECDSAP256SHA256" + times(t - 9000, t - 9000, t + 3600, t + 7200));
    const std::string new_zsk = keygen(dir, "-a ECDSAP256SHA256" + times(t, t + 3600, 0, 0));
    auto keys = dnssec::load_zone_keys(
        "example.com.", {{ksk, mark(3)}, {old_zsk, mark(4)}, {new_zsk, mark(5)}}, mark(2));
    const auto* K = &keys.keys[0];
    const auto* O = &keys.keys[1];
    const auto* N = &keys.keys[2];
    auto before = keys.at(t - 1), prepublished = keys.at(t + 10), rolled = keys.at(t + 3600),
         done = keys.at(t + 7200);
    CHECK(tags(before.published) == tags({K, O}));
    CHECK(tags(before.zsks()) == tags({O}));
    CHECK(tags(prepublished.published) == tags({K, O, N}));
    CHECK(tags(prepublished.zsks()) == tags({O}));
    CHECK(tags(rolled.published) == tags({K, O, N}));
    CHECK(tags(rolled.zsks()) == tags({N}));
    CHECK(tags(rolled.key_set_signers()) == tags({K}));
    CHECK(tags(done.published) == tags({K, N}));
    CHECK(tags(done.ksks()) == tags({K}));
    // With the zone's TTLs (300 s) well inside the hour between steps, the
    // schedule is safe.
    std::vector<const dnssec::ZoneKey*> all{K, O, N};
    CHECK(dnssec::schedule_problems(all, {300, 300, 60, 3600}, t - 10).empty());
}

TEST_CASE("check refuses a key schedule that leaves validators nothing to verify") {
    test::TempDir dir;
    const std::int64_t t = 2'000'000'000;
    const dnssec::ScheduleLimits limits{300, 600, 60, 3600};
    const std::string ksk =
        keygen(dir, "-a ECDSAP256SHA256 -f KSK" + times(t - 9000, t - 9000, 0, 0));
    const auto problems = [&](const std::string& old_times, const std::string& new_times) {
        const std::string o = keygen(dir, "-a ECDSAP256SHA256" + old_times);
        const std::string n = keygen(dir, "-a ECDSAP256SHA256" + new_times);
        auto keys = dnssec::load_zone_keys("example.com.",
                                           {{ksk, mark(3)}, {o, mark(4)}, {n, mark(5)}}, mark(2));
        std::vector<const dnssec::ZoneKey*> all;
        for (const auto& k : keys.keys) all.push_back(&k);
        const auto out = dnssec::schedule_problems(all, limits, t - 10);
        std::string joined;
        for (const auto& p : out) joined += p + "\n";
        return joined;
    };
    // The new ZSK signs 100 s after it is published: caches still hold the
    // DNSKEY set without it for up to TTL + propagation (360 s).
    CHECK(problems(times(t - 9000, t - 9000, t + 100, t + 5000), times(t, t + 100, 0, 0))
              .find("starts to sign alone, published only since") != std::string::npos);
    // The old ZSK leaves 60 s after it stops signing: its signatures are
    // cached up to the largest TTL + propagation (660 s).
    CHECK(problems(times(t - 9000, t - 9000, t + 1000, t + 1060), times(t, t + 1000, 0, 0))
              .find("leaves the DNSKEY set at") != std::string::npos);
    // A gap in an algorithm with no KSK to fall back on: Ed25519 ZSKs under
    // a P-256 KSK, the old one stops before the new one starts.
    {
        const std::string o =
            keygen(dir, "-a ED25519" + times(t - 9000, t - 9000, t + 1000, t + 5000));
        const std::string n = keygen(dir, "-a ED25519" + times(t, t + 2000, 0, 0));
        auto keys = dnssec::load_zone_keys("example.com.",
                                           {{ksk, mark(3)}, {o, mark(4)}, {n, mark(5)}}, mark(2));
        std::vector<const dnssec::ZoneKey*> all;
        for (const auto& k : keys.keys) all.push_back(&k);
        std::string joined;
        for (const auto& p : dnssec::schedule_problems(all, limits, t - 10)) joined += p + "\n";
        CHECK(joined.find("algorithm 15 is in the DNSKEY set but no key of it signs") !=
              std::string::npos);
    }
    // A good one for contrast.
    CHECK(problems(times(t - 9000, t - 9000, t + 1000, t + 5000), times(t, t + 1000, 0, 0)) == "");
    // The only KSK stops signing: nothing the parent's DS points at signs the DNSKEY set.
    const std::string lone =
        keygen(dir, "-a ECDSAP256SHA256 -f KSK" + times(t - 9000, t - 9000, t + 500, 0));
    auto keys = dnssec::load_zone_keys("example.com.", {{lone, mark(3)}}, mark(2));
    std::vector<const dnssec::ZoneKey*> all{&keys.keys[0]};
    std::string joined;
    for (const auto& p : dnssec::schedule_problems(all, limits, t - 10)) joined += p + "\n";
    CHECK(joined.find("stops signing the DNSKEY set at") != std::string::npos);
}
