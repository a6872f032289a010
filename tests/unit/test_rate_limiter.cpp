#include "query/rate_limiter.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

using namespace srvd;
using V = query::RateLimiter::Verdict;

TEST_CASE("over the rate: dropped, every slip-th truncated, the next second starts afresh") {
    config::RrlConfig c;
    c.responses_per_second = 5;
    c.slip = 2;
    query::RateLimiter rl(c);
    const auto a = test::client_address("198.51.100.7");
    for (int i = 0; i < 5; ++i) CHECK(rl.check(a, 100) == V::send);
    CHECK(rl.check(a, 100) == V::drop);
    CHECK(rl.check(a, 100) == V::truncate);
    CHECK(rl.check(a, 100) == V::drop);
    CHECK(rl.check(a, 100) == V::truncate);
    CHECK(rl.check(a, 101) == V::send);
}

TEST_CASE("clients are grouped by prefix, other prefixes and exempt ones are not limited") {
    config::RrlConfig c;
    c.responses_per_second = 2;
    c.slip = 0;
    c.exempt.push_back(*parse_prefix("192.0.2.0/24"));
    // A fixed secret: with a random one, these prefixes would share a
    // bucket (and so a count) once in thousands of runs.
    query::RateLimiter rl(c, std::make_shared<query::RrlTable>(1));
    CHECK(rl.check(test::client_address("198.51.100.1"), 7) == V::send);
    CHECK(rl.check(test::client_address("198.51.100.2"), 7) == V::send);
    CHECK(rl.check(test::client_address("198.51.100.3"), 7) == V::drop); // same /24
    CHECK(rl.check(test::client_address("198.51.101.1"), 7) == V::send); // another /24
    for (int i = 0; i < 10; ++i) CHECK(rl.check(test::client_address("192.0.2.9"), 7) == V::send);
    CHECK(rl.check(test::client_address("2001:db8:0:1::1"), 7) == V::send);
    CHECK(rl.check(test::client_address("2001:db8:0:1::2"), 7) == V::send);
    CHECK(rl.check(test::client_address("2001:db8:0:1::3"), 7) == V::drop); // same /56
}

TEST_CASE("off unless configured") {
    query::RateLimiter rl(config::RrlConfig{});
    for (int i = 0; i < 1000; ++i)
        CHECK(rl.check(test::client_address("198.51.100.1"), 1) == V::send);
}

TEST_CASE("parse_prefix") {
    auto p = parse_prefix("10.1.0.0/16");
    REQUIRE(p);
    CHECK(p->family == 4);
    CHECK(p->length == 16);
    CHECK(parse_prefix("::1")->length == 128);
    CHECK_FALSE(parse_prefix("10.0.0.0/33"));
    CHECK_FALSE(parse_prefix("10.0.0.0/"));
    CHECK_FALSE(parse_prefix("nonsense/8"));
}

TEST_CASE("workers share one table: two limiters together allow the rate, not twice it") {
    config::RrlConfig c;
    c.responses_per_second = 10;
    c.slip = 0;
    auto table = std::make_shared<query::RrlTable>();
    query::RateLimiter first(c, table), second(c, table);
    const auto a = test::client_address("198.51.100.7");
    int sent = 0;
    for (int i = 0; i < 40; ++i) {
        query::RateLimiter& worker = i % 2 ? second : first;
        sent += worker.check(a, 500) == V::send;
    }
    CHECK(sent == 10);
    // Separate tables (the old per-worker behaviour) would have allowed 20.
    query::RateLimiter own1(c), own2(c);
    int separate = 0;
    for (int i = 0; i < 40; ++i) separate += (i % 2 ? own2 : own1).check(a, 500) == V::send;
    CHECK(separate == 20);
    CHECK(first.check(a, 501) == V::send);
}

TEST_CASE("a prefix sharing the victim's bucket never loosens the victim's limit") {
    config::RrlConfig c;
    c.responses_per_second = 50;
    c.slip = 2;
    auto table = std::make_shared<query::RrlTable>();
    query::RateLimiter rl(c, table);
    const auto victim = test::client_address("198.51.100.7");
    // A colliding /24, found as an attacker who knew the table would.
    const std::size_t target = table->bucket_of(rl.key_of(victim));
    std::string collider;
    for (int i = 0; i < (1 << 22) && collider.empty(); ++i) { // 1 in 16,384 collides
        const std::string a = std::to_string(10 + i / 65536) + "." + std::to_string(i / 256 % 256) +
                              "." + std::to_string(i % 256) + ".1";
        if (table->bucket_of(rl.key_of(test::client_address(a))) == target && a != "198.51.100.1")
            collider = a;
    }
    REQUIRE_FALSE(collider.empty());
    // Interleaved, within one second: the victim gets at most the rate in
    // full answers (the rest are dropped, or TC: the question alone, no
    // bigger than the query).
    int sent = 0;
    for (int i = 0; i < 2000; ++i) {
        rl.check(test::client_address(collider), 500);
        sent += rl.check(victim, 500) == V::send;
    }
    CHECK(sent <= 50);
}

TEST_CASE("bucket positions depend on a per-process secret: not computable offline") {
    query::RateLimiter rl(config::RrlConfig{});
    const query::RrlTable one, two; // two processes' tables
    int same = 0;
    for (int i = 0; i < 64; ++i) {
        const auto key = rl.key_of(test::client_address("198.51." + std::to_string(i) + ".1"));
        same += one.bucket_of(key) == two.bucket_of(key);
    }
    CHECK(same < 8); // by chance, about 64/16384
    // The same secret, the same positions (a table is consistent).
    CHECK(query::RrlTable(7).bucket_of(42) == query::RrlTable(7).bucket_of(42));
}
