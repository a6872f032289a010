#include "query/signing_budget.hpp"

#include <doctest/doctest.h>

using namespace srvd;

TEST_CASE("the signing quota: a rate for everyone, and a TCP client's share within it") {
    query::SigningQuota quota;
    quota.set_rates(10, 4);
    query::SigningBudget tcp(quota, true), udp(quota, false);
    int tcp_taken = 0, udp_taken = 0;
    for (int i = 0; i < 20; ++i) tcp_taken += tcp.take();
    for (int i = 0; i < 20; ++i) udp_taken += udp.take();
    // Within one second (both loops take microseconds, unless they straddle
    // a second's start: then at most twice each).
    CHECK(tcp_taken >= 4);
    CHECK(tcp_taken <= 8);
    CHECK(tcp_taken + udp_taken >= 10);
    CHECK(tcp_taken + udp_taken <= 20);
    // A second later the quota starts afresh; 0 means no limit.
    CHECK(quota.take(1'000'000));
    quota.set_rates(0, 0);
    for (int i = 0; i < 1000; ++i) REQUIRE(tcp.take());
}
