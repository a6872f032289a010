// Answers that depend on where the client is (DESIGN §4 ordering and §5 ECS),
// through the engine, with a GeoIP database made by the committed script.
#include "dns/wire.hpp"
#include "support/test_support.hpp"
#include "zone/model/zone_builder.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace srvd;
using namespace srvd::test;

namespace {

const char* zone_yaml = R"(
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
media_servers:
  ms1: { addresses: [192.0.2.11] }
  ms2: { addresses: [192.0.2.12] }
  ms3: { addresses: [192.0.2.13] }
regions:
  east:    { match: [US-NY, US-MA, US-PA], location: [40.71, -74.01] }
  west:    { match: [US-CA],               location: [37.77, -122.42] }
  central: { match: [US],                  location: [32.78, -96.80] }
default_region: central
proxies:
  proxy-a: { targets: [ms1, ms2, ms3] }
  sip:
    targets:
      east:    [ms1, ms2, ms3]
      west:    [ms3, ms2, ms1]
      central: [{ms2: 70, ms1: 30}, ms3]
records:
  - "www IN A 192.0.2.80"
  - "*.phones IN CNAME sip"
)";

config::GeoIpConfig geo_config(bool ecs = true, bool ecs_private_use = false) {
    config::GeoIpConfig c;
    c.database = SRVD_TEST_GEO_DIR "/test-city.mmdb";
    c.ecs = ecs;
    c.ecs_private_use = ecs_private_use;
    return c;
}

// SRV targets in answer order, short names.
std::vector<std::string> targets(const Response& r) {
    std::vector<std::string> out;
    for (const auto& line : r.section(0)) {
        auto name = line.substr(line.rfind(' ') + 1);
        out.push_back(name.substr(0, name.find('.')));
    }
    return out;
}

struct Ecs {
    bool present = false;
    int source = -1, scope = -1;
};

Ecs ecs_of(const Response& r) {
    Ecs e;
    ldns_rdf* data = ldns_pkt_edns_data(r.pkt);
    if (!data) return e;
    const std::uint8_t* p = ldns_rdf_data(data);
    for (std::size_t o = 0; o + 4 <= ldns_rdf_size(data);) {
        const int code = p[o] << 8 | p[o + 1], len = p[o + 2] << 8 | p[o + 3];
        if (code == 8 && len >= 4) {
            e.present = true;
            e.source = p[o + 6];
            e.scope = p[o + 7];
        }
        o += 4 + len;
    }
    return e;
}

const std::string sip_srv = "_sip._udp.sip.example.com.";
using V = std::vector<std::string>;

} // namespace

TEST_CASE("by source address: each region gets its ordering") {
    const config::GeoIpConfig geo = geo_config();
    auto s = compile_policy(zone_yaml, 1232, &geo);
    CHECK(targets(ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.0.1"})) ==
          V{"ms1", "ms2", "ms3"});
    CHECK(targets(ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.1.1"})) ==
          V{"ms3", "ms2", "ms1"});
    CHECK(targets(ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.3.1"})) ==
          V{"ms1", "ms2", "ms3"}); // nearest
    auto central = targets(ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.2.1"}));
    REQUIRE(central.size() == 3);
    CHECK(central[2] == "ms3");
    CHECK(targets(ask(*s, sip_srv, dns::type::SRV, {.client = "2001:db8:2::7"})) ==
          V{"ms3", "ms2", "ms1"});
    CHECK(targets(ask(*s, sip_srv, dns::type::SRV, {.client = "::ffff:127.0.1.1"})) ==
          V{"ms3", "ms2", "ms1"});
    // The proxy's A record and a wildcard CNAME into the proxy follow the region too.
    CHECK(ask(*s, "sip.example.com.", dns::type::A, {.client = "127.0.1.1"}).section(0) ==
          V{"sip.example.com. 300 IN A 192.0.2.13"});
    auto wild =
        ask(*s, "desk.phones.example.com.", dns::type::A, {.client = "127.0.1.1"}).section(0);
    CHECK(wild.back() == "sip.example.com. 300 IN A 192.0.2.13");
}

TEST_CASE("by ECS: the subnet decides, and the scope is echoed") {
    const config::GeoIpConfig geo = geo_config();
    auto s = compile_policy(zone_yaml, 1232, &geo);
    Response r = ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.0.1", .ecs = "192.0.2.0/24"});
    CHECK(targets(r) == V{"ms3", "ms2", "ms1"});
    CHECK(ecs_of(r).present);
    CHECK(ecs_of(r).source == 24);
    CHECK(ecs_of(r).scope == 24);

    Response v6 =
        ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.0.1", .ecs = "2001:db8:2::/56"});
    CHECK(targets(v6) == V{"ms3", "ms2", "ms1"});
    CHECK(ecs_of(v6).scope == 48);

    // Not location-dependent, or negative: scope 0 (RFC 7871 7.2.1).
    Response fixed =
        ask(*s, "_sip._udp.proxy-a.example.com.", dns::type::SRV, {.ecs = "192.0.2.0/24"});
    CHECK(ecs_of(fixed).present);
    CHECK(ecs_of(fixed).scope == 0);
    Response nx = ask(*s, "nothere.example.com.", dns::type::A, {.ecs = "192.0.2.0/24"});
    CHECK(nx.rcode() == dns::rcode::NXDOMAIN);
    CHECK(ecs_of(nx).scope == 0);
    // ECS /0: the resolver asks us not to use its clients' addresses.
    Response zero = ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.1.1", .ecs = "0.0.0.0/0"});
    CHECK(targets(zero) == V{"ms3", "ms2", "ms1"});
    CHECK(ecs_of(zero).scope == 0);
    // No ECS in the query: none in the answer.
    CHECK_FALSE(ecs_of(ask(*s, sip_srv, dns::type::SRV)).present);
}

TEST_CASE("scope is longer than the source prefix only when the answer changes inside it") {
    const config::GeoIpConfig geo = geo_config(true, true); // loopback ECS allowed, as in test rigs
    auto s = compile_policy(zone_yaml, 1232, &geo);
    Response split = ask(*s, sip_srv, dns::type::SRV, {.ecs = "127.0.5.0/24"});
    CHECK(targets(split) == V{"ms1", "ms2", "ms3"});
    CHECK(ecs_of(split).scope == 25);
    Response merged = ask(*s, sip_srv, dns::type::SRV, {.ecs = "127.0.6.0/24"});
    CHECK(targets(merged) == V{"ms1", "ms2", "ms3"});
    CHECK(ecs_of(merged).scope == 23);
    // A /16 source is 127.0.0.0/16: east at 127.0.0.0/24, west next door, so
    // the answer holds for the /24 only.
    Response wide = ask(*s, sip_srv, dns::type::SRV, {.ecs = "127.0.6.0/16"});
    CHECK(targets(wide) == V{"ms1", "ms2", "ms3"});
    CHECK(ecs_of(wide).source == 16);
    CHECK(ecs_of(wide).scope == 24);
}

TEST_CASE("private ECS addresses fall back to the source address unless ecs_private: use") {
    {
        const config::GeoIpConfig geo = geo_config(true, false);
        auto s = compile_policy(zone_yaml, 1232, &geo);
        Response r =
            ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.1.1", .ecs = "127.0.0.0/24"});
        CHECK(targets(r) == V{"ms3", "ms2", "ms1"}); // the source (west), not the ECS (east)
        CHECK(ecs_of(r).scope == 0);
        Response rfc1918 =
            ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.0.1", .ecs = "10.1.2.0/24"});
        CHECK(targets(rfc1918) == V{"ms1", "ms2", "ms3"});
    }
    {
        const config::GeoIpConfig geo = geo_config(true, true);
        auto s = compile_policy(zone_yaml, 1232, &geo);
        Response r =
            ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.1.1", .ecs = "127.0.0.0/24"});
        CHECK(targets(r) == V{"ms1", "ms2", "ms3"});
        CHECK(ecs_of(r).scope == 24);
    }
    {
        const config::GeoIpConfig geo = geo_config(false);
        auto s = compile_policy(zone_yaml, 1232, &geo);
        Response r =
            ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.1.1", .ecs = "198.51.100.0/24"});
        CHECK(targets(r) == V{"ms3", "ms2", "ms1"}); // ECS off: the source decides
        CHECK_FALSE(ecs_of(r).present);
    }
}

TEST_CASE("without GeoIP every client gets the default region, and ECS is not echoed") {
    auto s = compile_policy(zone_yaml);
    for (const char* client : {"127.0.0.1", "127.0.1.1"}) {
        auto t = targets(ask(*s, sip_srv, dns::type::SRV, {.client = client}));
        REQUIRE(t.size() == 3);
        CHECK(t[2] == "ms3");
    }
    CHECK_FALSE(ecs_of(ask(*s, sip_srv, dns::type::SRV, {.ecs = "192.0.2.0/24"})).present);
}

TEST_CASE("weighted tiers: stable per subnet, spread by weight across subnets") {
    const config::GeoIpConfig geo = geo_config();
    auto s = compile_policy(zone_yaml, 1232, &geo);
    std::map<std::string, int> first;
    for (int i = 0; i < 256; ++i) {
        // 8.8.i.0/24 is not in the database: the default (central) region.
        const std::string subnet = "8.8." + std::to_string(i) + ".0/24";
        Response r = ask(*s, sip_srv, dns::type::SRV, {.ecs = subnet});
        auto t = targets(r);
        REQUIRE(t.size() == 3);
        CHECK(t[2] == "ms3");         // the second tier stays second
        CHECK(ecs_of(r).scope == 24); // the order is per /24
        ++first[t[0]];
        // The same subnet, another host, again: the same order.
        Response again =
            ask(*s, sip_srv, dns::type::SRV, {.client = "8.8." + std::to_string(i) + ".77"});
        CHECK(targets(again) == t);
    }
    CAPTURE(first["ms2"]);
    CHECK(first["ms2"] > 150); // 70% of 256 is 179
    CHECK(first["ms2"] < 215);
    CHECK(first["ms1"] == 256 - first["ms2"]);
    // The NAPTR's additional SRV set and the A record use the same order.
    Response naptr = ask(*s, "sip.example.com.", dns::type::NAPTR, {.client = "8.8.1.1"});
    Response srv = ask(*s, sip_srv, dns::type::SRV, {.client = "8.8.1.1"});
    Response a = ask(*s, "sip.example.com.", dns::type::A, {.client = "8.8.1.1"});
    CHECK(naptr.section(2)[0].find(targets(srv)[0]) != std::string::npos);
    CHECK(a.section(0)[0].find(targets(srv)[0] == "ms1" ? "192.0.2.11" : "192.0.2.12") !=
          std::string::npos);
}

TEST_CASE("serve-none empties one region only: the others keep their servers, with an ECS scope") {
    // Region 0 (east, the first view compiled) loses its only server to a
    // health check: its answer is empty, and must not become everyone's.
    TempDir dir;
    const std::string file = dir.write("zone.yaml", R"(
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
health: { probe: tcp-connect, all_down: serve-none }
media_servers:
  ms1: { addresses: [192.0.2.11] }
  ms2: { addresses: [192.0.2.12] }
  ms3: { addresses: [192.0.2.13] }
regions:
  east:    { match: [US-NY] }
  west:    { match: [US-CA] }
  central: { match: [US] }
default_region: central
proxies:
  sip: { targets: { east: [ms1], west: [ms3, ms2], central: [ms2] } }
)");
    const config::GeoIpConfig geo = geo_config();
    zone::SnapshotOptions options;
    options.geoip = &geo;
    auto s = zone::compile_snapshot(
        {zone::build_zone(
            config::load_zone_policy(file),
            {health::ServerHealth::down, health::ServerHealth::up, health::ServerHealth::up})},
        options);
    Response east = ask(*s, sip_srv, dns::type::SRV, {.ecs = "198.51.100.0/24"});
    Response west = ask(*s, sip_srv, dns::type::SRV, {.ecs = "192.0.2.0/24"});
    Response central = ask(*s, sip_srv, dns::type::SRV, {.client = "127.0.2.1"});
    CHECK(east.rcode() == 0);
    CHECK(east.section(0).empty());
    CHECK(ecs_of(east).scope > 0); // the empty answer holds for east only
    CHECK(targets(west) == V{"ms3", "ms2"});
    CHECK(ecs_of(west).scope > 0);
    CHECK(targets(central) == V{"ms2"});
    // The proxy's A record and the NAPTR's additional section follow suit.
    CHECK(ask(*s, "sip.example.com.", dns::type::A, {.ecs = "198.51.100.0/24"}).section(0).empty());
    CHECK(ask(*s, "sip.example.com.", dns::type::A, {.ecs = "192.0.2.0/24"}).section(0) ==
          V{"sip.example.com. 10 IN A 192.0.2.13"}); // health.answer_ttl's default
}

TEST_CASE("with health checks, what health changes has answer_ttl, its negative answers no more") {
    TempDir dir;
    const std::string file = dir.write("zone.yaml", R"(
zone: example.com
ttl: 300
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1, minimum: 300 }
nameservers: { ns1: [192.0.2.1] }
health: { probe: tcp-connect, all_down: serve-none, answer_ttl: 15 }
media_servers:
  ms1: { addresses: [192.0.2.11] }
  ms2: { addresses: [192.0.2.12] }
proxies:
  dead: { targets: [ms1] }
  own: { targets: [ms1], ttl: 60 }
  live: { targets: [ms2] }
records:
  - "www IN A 192.0.2.80"
)");
    auto s = zone::compile_snapshot({zone::build_zone(
        config::load_zone_policy(file), {health::ServerHealth::down, health::ServerHealth::up})});
    const std::string soa =
        " IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 1209600 300";
    // The live proxy: every answer health changes at 15 s; the rest of the zone keeps 300.
    CHECK(ask(*s, "_sip._udp.live.example.com.", dns::type::SRV).section(0) ==
          V{"_sip._udp.live.example.com. 15 IN SRV 10 0 5060 ms2.example.com."});
    CHECK(ask(*s, "live.example.com.", dns::type::A).section(0) ==
          V{"live.example.com. 15 IN A 192.0.2.12"});
    CHECK(ask(*s, "live.example.com.", dns::type::NAPTR)
              .section(0)
              .front()
              .find("live.example.com. 15 IN NAPTR") == 0);
    CHECK(ask(*s, "ms2.example.com.", dns::type::A).section(0) ==
          V{"ms2.example.com. 300 IN A 192.0.2.12"});
    CHECK(ask(*s, "www.example.com.", dns::type::A).section(0) ==
          V{"www.example.com. 300 IN A 192.0.2.80"});
    // serve-none emptied `dead`: NODATA cached 15 s, not the SOA's 300; a
    // proxy's own ttl stands for its records and its negative answers.
    CHECK(ask(*s, "_sip._udp.dead.example.com.", dns::type::SRV).section(1) ==
          V{"example.com. 15" + soa});
    CHECK(ask(*s, "dead.example.com.", dns::type::A).section(1) == V{"example.com. 15" + soa});
    CHECK(ask(*s, "_udp.dead.example.com.", dns::type::TXT).section(1) ==
          V{"example.com. 15" + soa});
    CHECK(ask(*s, "_sip._udp.own.example.com.", dns::type::SRV).section(1) ==
          V{"example.com. 60" + soa});
    // Elsewhere negative answers keep the SOA's.
    CHECK(ask(*s, "www.example.com.", dns::type::AAAA).section(1) == V{"example.com. 300" + soa});
    CHECK(ask(*s, "nothere.example.com.", dns::type::A).section(1) == V{"example.com. 300" + soa});
}
