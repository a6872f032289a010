#include "geo/prefix_table.hpp"

#include <doctest/doctest.h>

using namespace srvd::geo;

namespace {
std::uint32_t ip(int a, int b, int c, int d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
}
} // namespace

TEST_CASE("a /24 split between two regions gives scope 25") {
    PrefixTable4::Builder b(9);
    b.add(ip(10, 0, 5, 0), ip(10, 0, 5, 127), 1);
    b.add(ip(10, 0, 5, 128), ip(10, 0, 5, 255), 2);
    auto t = b.finish();
    auto low = t.lookup(ip(10, 0, 5, 0));
    CHECK(low.value == 1);
    CHECK(low.scope == 25);
    auto high = t.lookup(ip(10, 0, 5, 200));
    CHECK(high.value == 2);
    CHECK(high.scope == 25);
}

TEST_CASE("adjacent networks of the same region merge, widening the scope") {
    PrefixTable4::Builder b(0);
    b.add(ip(10, 0, 6, 0), ip(10, 0, 6, 255), 1);
    b.add(ip(10, 0, 7, 0), ip(10, 0, 7, 255), 1);
    auto t = b.finish();
    CHECK(t.ranges() == 3); // fill, merged /23, fill
    auto hit = t.lookup(ip(10, 0, 6, 0));
    CHECK(hit.value == 1);
    CHECK(hit.scope == 23);
    // Outside: the gap value, with the widest block that avoids the /23.
    auto gap = t.lookup(ip(10, 0, 8, 0));
    CHECK(gap.value == 0);
    CHECK(gap.scope == 21); // 10.0.8.0/21 lies wholly in the gap
    auto far = t.lookup(ip(200, 1, 2, 3));
    CHECK(far.value == 0);
    CHECK(far.scope == 1); // 128.0.0.0/1
}

TEST_CASE("gaps, the whole space, and its ends") {
    PrefixTable4::Builder empty(4);
    auto t = empty.finish();
    CHECK(t.lookup(0).value == 4);
    CHECK(t.lookup(0).scope == 0);
    CHECK(t.lookup(0xffffffff).scope == 0);

    PrefixTable4::Builder ends(0);
    ends.add(0, ip(0, 255, 255, 255), 1);
    ends.add(ip(255, 0, 0, 0), 0xffffffff, 2);
    auto e = ends.finish();
    CHECK(e.lookup(0).value == 1);
    CHECK(e.lookup(0).scope == 8);
    CHECK(e.lookup(0xffffffff).value == 2);
    CHECK(e.lookup(0xffffffff).scope == 8);
    CHECK(e.lookup(ip(1, 0, 0, 0)).scope == 8);
}

TEST_CASE("IPv6 table") {
    PrefixTable6::Builder b(0);
    const u128 net = u128{0x20010db800010000ULL} << 64; // 2001:db8:1::/48
    b.add(net, net | ((u128{1} << 80) - 1), 3);
    auto t = b.finish();
    auto hit = t.lookup(net | 0x1234);
    CHECK(hit.value == 3);
    CHECK(hit.scope == 48);
    auto next = t.lookup(net + (u128{1} << 80));
    CHECK(next.value == 0);
    CHECK(next.scope == 47); // 2001:db8:2::/47 lies wholly in the gap
}
