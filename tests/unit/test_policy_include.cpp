// include: a zone policy takes media servers, ports, regions and health from
// a shared file; errors still name the file, line and column they are in.
#include "config/zone_policy.hpp"
#include "support/test_support.hpp"
#include "zone/model/zone_builder.hpp"
#include "zone/model/zone_view.hpp"

#include <doctest/doctest.h>

using namespace srvd;

namespace {

const std::string platform = R"(# the platform, shared by every partner zone
ports: { udp: 5080 }
media_servers:
  ms1: { addresses: [192.0.2.11] }
  ms2: { addresses: [192.0.2.12] }
regions:
  east: { match: [US-NY] }
  west: { match: [US-CA] }
default_region: east
health: { probe: sip-options, interval: 3s }
)";

std::string partner(const std::string& extra = "") {
    return R"(zone: partner.example
soa: { primary: ns1.partner.example, contact: hostmaster.partner.example, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
include: platform.yaml
proxies:
  sip: { targets: { east: [ms1, ms2], west: [ms2, ms1] } }
)" + extra;
}

std::string error_of(const test::TempDir& dir, const std::string& file) {
    try {
        zone::build_zone(config::load_zone_policy(file));
        return "";
    } catch (const config::LoadError& e) {
        return std::string(e.what()).substr(dir.path().size() + 1);
    }
}

} // namespace

TEST_CASE("a partner zone takes the platform's sections from an included file") {
    test::TempDir dir;
    dir.write("platform.yaml", platform);
    config::ZonePolicy p = config::load_zone_policy(dir.write("partner.yaml", partner()));
    REQUIRE(p.media_servers.size() == 2);
    CHECK(p.media_servers[1].label == "ms2");
    CHECK(p.media_servers[1].mark.file == dir.path() + "/platform.yaml");
    CHECK(p.ports.udp == 5080);
    REQUIRE(p.regions.size() == 2);
    CHECK(p.default_region == 0);
    REQUIRE(p.health.has_value());
    CHECK(p.health->interval_ms == 3000);
    CHECK(p.proxies.size() == 1);
}

TEST_CASE("include errors point into the file that has them") {
    test::TempDir dir;
    SUBCASE("a bad section in the included file") {
        dir.write("platform.yaml", "media_servers:\n  ms1: { addresses: [not-an-address] }\n");
        // And, independent of it, the partner's per-region targets without regions.
        CHECK(error_of(dir, dir.write("partner.yaml", partner())) ==
              "platform.yaml:2:22: media_servers.ms1.addresses: 'not-an-address' is not an IPv4 "
              "or IPv6 address\n" +
                  dir.path() +
                  "/partner.yaml:6:19: proxies.sip.targets: per-region targets need 'regions'");
    }
    SUBCASE("an unknown target names the policy's line") {
        dir.write("platform.yaml", platform);
        const auto file = dir.write("partner.yaml", partner("  other: { targets: [ms9] }\n"));
        CHECK(error_of(dir, file) ==
              "partner.yaml:7:22: unknown media server 'ms9' in targets (known: ms1, ms2)");
    }
    SUBCASE("a section in both files") {
        dir.write("platform.yaml", platform);
        const auto file = dir.write("partner.yaml", partner("ports: { udp: 5060 }\n"));
        CHECK(error_of(dir, file) == "partner.yaml:7:8: ports: also defined at " + dir.path() +
                                         "/platform.yaml:2:8; define it in one place");
    }
    SUBCASE("a key an included file may not hold") {
        dir.write("platform.yaml", platform + "proxies: {}\n");
        CHECK(
            error_of(dir, dir.write("partner.yaml", partner())).rfind("platform.yaml:11:1: ", 0) ==
            0);
    }
    SUBCASE("a syntax error in the included file") {
        dir.write("platform.yaml", "media_servers: [\n");
        CHECK(error_of(dir, dir.write("partner.yaml", partner())).rfind("platform.yaml:", 0) == 0);
    }
    SUBCASE("a missing included file names the include line") {
        CHECK(error_of(dir, dir.write("partner.yaml", partner()))
                  .rfind("partner.yaml:4:10: include: ", 0) == 0);
    }
    SUBCASE("a name clash across files says where the first one is") {
        dir.write("platform.yaml", platform);
        const auto file = dir.write("partner.yaml", partner("  ms1: { targets: [ms2] }\n"));
        CHECK(error_of(dir, file) == "partner.yaml:7:3: duplicate name 'ms1' (first defined at " +
                                         dir.path() + "/platform.yaml:4)");
    }
}

TEST_CASE("an include read once serves every zone of a load") {
    test::TempDir dir;
    dir.write("platform.yaml", platform);
    config::IncludeCache cache;
    config::ZonePolicy a = config::load_zone_policy(dir.write("a.yaml", partner()), &cache);
    config::ZonePolicy b = config::load_zone_policy(dir.write("b.yaml", partner()), &cache);
    CHECK(cache.size() == 1);
    CHECK(a.media_servers.size() == 2);
    CHECK(b.media_servers.size() == 2);
    CHECK(b.media_servers[0].mark.file == dir.path() + "/platform.yaml");
    CHECK(b.media_servers[0].mark.line == 4);
}
