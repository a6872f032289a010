#include "dns/name.hpp"

#include <doctest/doctest.h>

using namespace srvd::dns;

TEST_CASE("names in wire format") {
    auto w = name_from_text("Proxy-A.Example.com");
    REQUIRE(w);
    CHECK(*w == std::string("\x07Proxy-A\x07"
                            "Example\x03"
                            "com\x00",
                            21));
    CHECK(name_to_text(*w) == "Proxy-A.Example.com.");
    CHECK(lowercase(*w) == std::string("\x07proxy-a\x07"
                                       "example\x03"
                                       "com\x00",
                                       21));
    CHECK(label_count(*w) == 3);
    CHECK(parent_name(*w) == std::string_view("\x07"
                                              "Example\x03"
                                              "com\x00",
                                              13));
    CHECK(label_count(std::string(1, '\0')) == 0);
    CHECK(parent_name(std::string(1, '\0')) == std::string(1, '\0'));
    CHECK_FALSE(name_from_text(""));
    CHECK_FALSE(name_from_text(std::string(64, 'a') + ".com"));
}

TEST_CASE("is_at_or_below works on label boundaries") {
    auto zone = *name_from_text("example.com.");
    CHECK(is_at_or_below(*name_from_text("example.com."), zone));
    CHECK(is_at_or_below(*name_from_text("a.b.example.com."), zone));
    CHECK_FALSE(is_at_or_below(*name_from_text("badexample.com."), zone));
    CHECK_FALSE(is_at_or_below(*name_from_text("com."), zone));
    CHECK_FALSE(is_at_or_below(*name_from_text("example.net."), zone));
}
