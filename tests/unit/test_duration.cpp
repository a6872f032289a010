#include "util/duration.hpp"

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
