// Load-aware weights (health.load), driven with a test clock: averaged,
// bounded, changed at most every `every` and only past the hysteresis, and
// the configured weights back when the source goes silent.
#include "health/health_table.hpp"
#include "health/load_source.hpp"
#include "health/load_weight.hpp"
#include "health/sip_message.hpp"

#include <doctest/doctest.h>

using namespace srvd;
using namespace std::chrono_literals;

namespace {
config::LoadConfig load_config() {
    config::LoadConfig c;
    c.min_weight = 10;
    c.max_weight = 110;
    c.every_ms = 30'000;
    c.hysteresis = 10;
    c.smoothing = 0.5;
    return c;
}
} // namespace

TEST_CASE(
    "load weight: the first reading at once, then only every `every` and past the hysteresis") {
    health::LoadWeight w(load_config(), 10s);
    const auto t0 = health::LoadWeight::Clock::time_point{} + 1h;
    CHECK_FALSE(w.weight());
    CHECK(w.why() == "no load reading yet: configured weights");
    CHECK(w.reading(50, t0)); // 110 - 100 * 50% = 60
    CHECK(w.weight() == 60);
    // Idle now: the average goes 50 -> 25, a weight of 85, but not before `every`.
    CHECK_FALSE(w.reading(0, t0 + 1s));
    CHECK(w.weight() == 60);
    // Average 12.5 -> weight 97.5 -> 98, past the hysteresis and `every`: it moves.
    CHECK(w.reading(0, t0 + 31s));
    CHECK(w.weight() == 98);
    CHECK(w.why() == "load 0% (average 12%): weight 98");
    // Readings that move it by 10 or less leave it (no churn for phones that sort by weight).
    CHECK_FALSE(w.reading(25, t0 + 70s)); // average 18.75 -> 91: within 10 of 98
    CHECK(w.weight() == 98);
    // Out-of-range readings are clamped: 250% counts as full.
    CHECK(w.reading(250, t0 + 110s)); // average 59.4 -> 50.6 -> 51
    CHECK(w.weight() == 51);
    CHECK(w.reading(100, t0 + 150s)); // average 79.7 -> 30
    CHECK(w.weight() == 30);
}

TEST_CASE("load weight: a silent source gives the configured weights back") {
    health::LoadWeight w(load_config(), 10s);
    const auto t0 = health::LoadWeight::Clock::time_point{} + 1h;
    CHECK(w.reading(100, t0));
    CHECK(w.weight() == 10);         // min_weight at full load
    CHECK_FALSE(w.silence(t0 + 5s)); // not yet stale
    CHECK(w.weight() == 10);
    CHECK(w.silence(t0 + 11s));
    CHECK_FALSE(w.weight());
    CHECK(w.why() == "load source silent: configured weights");
    CHECK_FALSE(w.silence(t0 + 20s)); // no change to report twice
    // The next reading starts a new average and is published at once.
    CHECK(w.reading(0, t0 + 21s));
    CHECK(w.weight() == 110);
}

TEST_CASE("load readings: a number alone, from a body or a SIP header") {
    CHECK(health::parse_load("63") == 63.0);
    CHECK(health::parse_load(" 63.5\n") == 63.5);
    CHECK_FALSE(health::parse_load(""));
    CHECK_FALSE(health::parse_load("63%"));
    CHECK_FALSE(health::parse_load("load=63"));
    CHECK_FALSE(health::parse_load("nan"));
    const std::string head = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=z9hG4bKx\r\n"
                             "x-load:  42 \r\nContent-Length: 0\r\n\r\nX-Load: 99\r\n";
    CHECK(health::header_value(head, "X-Load") == "42"); // any case; the header block only
    CHECK(health::header_value(head, "X-Other").empty());
    CHECK(health::content_length(head) == 0);
    CHECK(health::content_length("SIP/2.0 200 OK\r\nl: 12\r\n\r\n") == 12);
}

TEST_CASE("load weight: zones that read a shared server's load otherwise do not share its weight") {
    config::ZonePolicy with, without;
    for (config::ZonePolicy* z : {&with, &without}) {
        z->zone = "example.com.";
        z->health.emplace();
        z->media_servers.push_back({});
        z->media_servers.back().label = "ms1";
        z->media_servers.back().addresses = {"192.0.2.11"};
    }
    with.health->load = load_config();
    with.health->load->header = "X-Load";
    const auto keyed = health::probe_targets(with, with.media_servers[0]);
    const auto plain = health::probe_targets(without, without.media_servers[0]);
    REQUIRE(keyed.size() == 1);
    REQUIRE(plain.size() == 1);
    CHECK(keyed[0].key != plain[0].key);
    health::HealthTable table;
    table.weights[keyed[0].key] = 42;
    CHECK(table.states(with)[0].weight == 42);
    CHECK_FALSE(table.states(without)[0].weight);
}
