#include "util/duration.hpp"
#include "util/size.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_CASE("parse_duration accepts units as NSD and Knot do") {
    CHECK(srvd::parse_duration("10s") == 10s);
    CHECK(srvd::parse_duration("10") == 10s);
    CHECK(srvd::parse_duration("500ms") == 500ms);
    CHECK(srvd::parse_duration("2m") == 120s);
    CHECK(srvd::parse_duration("1h") == 3600s);
    CHECK_FALSE(srvd::parse_duration(""));
    CHECK_FALSE(srvd::parse_duration("s"));
    CHECK_FALSE(srvd::parse_duration("10 s"));
    CHECK(srvd::parse_duration("14d") == 14 * 24h); // Knot's rrsig-lifetime unit
    CHECK_FALSE(srvd::parse_duration("10w"));
    CHECK_FALSE(srvd::parse_duration("366d"));
    CHECK_FALSE(srvd::parse_duration("-1s"));
    CHECK_FALSE(srvd::parse_duration("99999999999999h"));
}

TEST_CASE("parse_size accepts K, M and G as Knot does") {
    CHECK(srvd::parse_size("0") == 0u);
    CHECK(srvd::parse_size("512") == 512u);
    CHECK(srvd::parse_size("64K") == 64u << 10);
    CHECK(srvd::parse_size("256M") == 256u << 20);
    CHECK(srvd::parse_size("2G") == std::uint64_t{2} << 30);
    CHECK_FALSE(srvd::parse_size(""));
    CHECK_FALSE(srvd::parse_size("M"));
    CHECK_FALSE(srvd::parse_size("1T"));
    CHECK_FALSE(srvd::parse_size("1 M"));
    CHECK_FALSE(srvd::parse_size("-1M"));
    CHECK_FALSE(srvd::parse_size("99999999999G"));
}
