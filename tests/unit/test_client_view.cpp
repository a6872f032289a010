#include "engine/client_view.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

using namespace srvd;

namespace {
bool unroutable(const std::string& text) {
    auto c = test::client_address(text);
    return engine::is_unroutable(c.family, c.bytes);
}
} // namespace

TEST_CASE("ECS addresses that say nothing about a client's location") {
    for (const char* a : {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.1.1",
                          "169.254.1.1", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255",
                          "::", "::1", "fe80::1", "fd00::1", "ff02::1", "::ffff:10.0.0.1"}) {
        CAPTURE(a);
        CHECK(unroutable(a));
    }
    for (const char* a : {"8.8.8.8", "172.32.0.1", "192.0.2.1", "198.51.100.7", "100.128.0.1",
                          "2001:db8::1", "2a00:1450::1", "::ffff:8.8.8.8"}) {
        CAPTURE(a);
        CHECK_FALSE(unroutable(a));
    }
}
