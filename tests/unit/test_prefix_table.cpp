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

TEST_CASE("the /24 map of a large IPv4 table answers as the search does") {
    // Random networks from /8 to /28, in order, some adjacent, some sharing
    // a /24 (those blocks must fall back to the search).
    std::uint64_t seed = 0x9e3779b97f4a7c15ULL;
    auto next = [&seed] {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        return seed;
    };
    PrefixTable4::Builder with_map(7, 0), without(7, std::size_t(-1));
    std::uint64_t at = 0;
    int networks = 0;
    while (true) {
        at += next() % 4096; // a gap, often none
        const int length = 8 + static_cast<int>(next() % 21);
        const std::uint64_t size = std::uint64_t{1} << (32 - length);
        at = (at + size - 1) / size * size; // aligned, as a network is
        if (at + size > (std::uint64_t{1} << 32)) break;
        const auto value = static_cast<std::uint16_t>(next() % 5);
        const auto first = static_cast<std::uint32_t>(at),
                   last = static_cast<std::uint32_t>(at + size - 1);
        with_map.add(first, last, value);
        without.add(first, last, value);
        at += size;
        ++networks;
    }
    const auto mapped = with_map.finish(), searched = without.finish();
    REQUIRE(mapped.has_direct_map());
    REQUIRE_FALSE(searched.has_direct_map());
    CHECK(networks > 1000);
    int differing = 0, samples = 0;
    auto compare = [&](std::uint32_t address) {
        const auto a = mapped.lookup(address), b = searched.lookup(address);
        ++samples;
        if (a.value != b.value || a.scope != b.scope) ++differing;
    };
    for (int i = 0; i < 2'000'000; ++i) compare(static_cast<std::uint32_t>(next()));
    compare(0);
    compare(0xffffffff);
    CHECK(samples == 2'000'002);
    CHECK(differing == 0);
}

TEST_CASE("a small table keeps to the search, and so does one with a value too large for the map") {
    PrefixTable4::Builder small(0);
    small.add(ip(10, 0, 0, 0), ip(10, 0, 0, 255), 1);
    CHECK_FALSE(small.finish().has_direct_map());

    PrefixTable4::Builder wide(0, 0);
    wide.add(ip(10, 0, 0, 0), ip(10, 0, 0, 255), 3000);
    const auto t = wide.finish();
    CHECK_FALSE(t.has_direct_map());
    CHECK(t.lookup(ip(10, 0, 0, 9)).value == 3000);
}
