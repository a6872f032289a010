// Zone policies: what loads, and errors that point at the line and column.
#include "config/yaml_reader.hpp"
#include "config/zone_policy.hpp"
#include "support/test_support.hpp"
#include "zone/model/zone_builder.hpp"
#include "zone/model/zone_view.hpp"

#include <doctest/doctest.h>

using namespace srvd;

namespace {

const std::string head = R"(zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
media_servers:
  ms1: { addresses: [192.0.2.11] }
  ms2: { addresses: [192.0.2.12] }
)"; // 6 lines

// Loads and expands a policy as `serve` does; returns the error text or "".
std::string error_of(const std::string& yaml, std::string* file_out = nullptr) {
    test::TempDir dir;
    const auto file = dir.write("zone.yaml", yaml);
    if (file_out) *file_out = file;
    try {
        zone::build_zone(config::load_zone_policy(file));
        return "";
    } catch (const config::LoadError& e) {
        return std::string(e.what()).substr(file.size());
    }
}

} // namespace

TEST_CASE("a policy loads into plain structs") {
    test::TempDir dir;
    const auto file = dir.write("zone.yaml", head + R"(regions:
  east: { match: [us-ny, NA], location: [40.7, -74.0] }
  central: { match: [US] }
default_region: central
proxies:
  p: { transports: [tls, udp], ttl: 30, targets: [{ms2: 70, ms1: 30}] }
  g: { targets: { east: [ms1, ms2], central: [ms2] } }
)");
    config::ZonePolicy p = config::load_zone_policy(file);
    CHECK(p.zone == "example.com.");
    CHECK(p.soa.primary == "ns1.example.com.");
    CHECK(p.soa.refresh == 3600);
    REQUIRE(p.regions.size() == 2);
    CHECK(p.regions[0].match == std::vector<std::string>{"US-NY", "NA"});
    CHECK(p.default_region == 1);
    REQUIRE(p.proxies.size() == 2);
    const config::Proxy& px = p.proxies[0];
    CHECK(px.ttl == 30);
    CHECK(px.transports ==
          std::vector<config::Transport>{config::Transport::tls, config::Transport::udp});
    REQUIRE(px.orderings.size() == 2);
    REQUIRE(px.orderings[0].size() == 1);
    CHECK(px.orderings[0][0].size() == 2);
    CHECK(px.orderings[0][0][0].server == 1);
    CHECK(px.orderings[0][0][0].weight == 70);
    const config::Proxy& g = p.proxies[1];
    CHECK(g.geo);
    CHECK(g.orderings[0].size() == 2);
    CHECK(g.orderings[1].size() == 1);
}

TEST_CASE("health checks: values and defaults") {
    test::TempDir dir;
    const auto file = dir.write(
        "zone.yaml", head + "health: { probe: sip-options, transport: tcp, interval: 500ms, "
                            "down_after: 3, ok_codes: [200, 202-204], all_down: serve-none }\n");
    config::ZonePolicy p = config::load_zone_policy(file);
    REQUIRE(p.health);
    CHECK(p.health->transports == std::vector{config::Transport::tcp});
    CHECK(p.health->interval_ms == 500);
    CHECK(p.health->timeout_ms == 500); // the 1s default is capped by the interval
    CHECK(p.health->down_after == 3);
    CHECK(p.health->up_after == 2);
    CHECK(p.health->ok_codes == std::vector<std::pair<int, int>>{{200, 200}, {202, 204}});
    CHECK_FALSE(p.health->serve_all_when_all_down);
    CHECK(p.health->answer_ttl == 10);
    CHECK(p.health->converge_within_ms == 0);
}

TEST_CASE("health: probes per transport, per-server ports, transports and TLS names") {
    test::TempDir dir;
    dir.write("ca.pem", "not read at load, only checked readable\n");
    config::ZonePolicy p = config::load_zone_policy(dir.write(
        "zone.yaml", head + "  ms3: { addresses: [192.0.2.13], ports: { tls: 5081 }, probe_ports: "
                            "{ udp: 5070 }, probe_transport: tls, tls_name: SBC.Example.NET. }\n"
                            "health: { transport: [udp, tls], tls_ca_file: ca.pem }\n"));
    using config::Transport;
    REQUIRE(p.health);
    CHECK(p.health->transports == std::vector{Transport::udp, Transport::tls});
    // Relative to the policy's file.
    CHECK(p.health->tls_ca_file == dir.path() + "/ca.pem");
    const config::MediaServer &ms1 = p.media_servers[0], &ms3 = p.media_servers[2];
    CHECK(p.health->transports_of(ms1) == std::vector{Transport::udp, Transport::tls});
    CHECK(p.health->transports_of(ms3) == std::vector{Transport::tls});
    // Probe ports default to the server's own, port by port.
    CHECK(ms1.probe_ports.tls == 5061);
    CHECK(ms3.probe_ports.udp == 5070);
    CHECK(ms3.probe_ports.tls == 5081);
    CHECK(ms3.tls_name == "sbc.example.net");
    CHECK_FALSE(p.health->load);
    // health.load and a server's load_url.
    p = config::load_zone_policy(dir.write(
        "zone.yaml", head + "  ms3: { addresses: [192.0.2.13], load_url: "
                            "\"http://10.0.0.13:8080/load\" }\nhealth: { load: { header: X-Load, "
                            "max_weight: 200, every: 1m, hysteresis: 5, smoothing: 0.5 } }\n"));
    REQUIRE(p.health->load);
    CHECK(p.health->load->header == "X-Load");
    CHECK(p.health->load->min_weight == 1);
    CHECK(p.health->load->max_weight == 200);
    CHECK(p.health->load->every_ms == 60'000);
    CHECK(p.health->load->hysteresis == 5);
    CHECK(p.health->load->smoothing == 0.5);
    CHECK(p.media_servers[2].load_url == "http://10.0.0.13:8080/load");
    // tcp-connect alone connects to the TCP port.
    p = config::load_zone_policy(dir.write("zone.yaml", head + "health: { probe: tcp-connect }\n"));
    CHECK(p.health->transports == std::vector{Transport::tcp});
}

TEST_CASE(
    "health: answer_ttl for proxies without a ttl of their own, and the convergence it gives") {
    test::TempDir dir;
    auto load = [&](const std::string& zone_ttl, const std::string& health) {
        return config::load_zone_policy(dir.write(
            "zone.yaml",
            head + zone_ttl + "health: { " + health +
                " }\nproxies:\n  a: { targets: [ms1] }\n  b: { targets: [ms2], ttl: 60 }\n"));
    };
    config::ZonePolicy p = load("", "interval: 1s, timeout: 500ms, down_after: 3");
    CHECK(p.proxies[0].ttl == 10); // health.answer_ttl's default
    CHECK(p.proxies[1].ttl == 60); // its own
    CHECK(config::dns_convergence_ms(p) == 1000 * 3 + 500 + 60'000);
    p = load("ttl: 5\n", "interval: 1s");
    CHECK(p.proxies[0].ttl == 5); // the zone's, when lower than the default
    p = load("ttl: 5\n", "answer_ttl: 30, converge_within: 45s");
    CHECK(p.proxies[0].ttl == 30); // given: it stands
    CHECK(p.health->converge_within_ms == 45'000);
    p = config::load_zone_policy(
        dir.write("zone.yaml", head + "proxies:\n  a: { targets: [ms1] }\n"));
    CHECK(p.proxies[0].ttl == 300); // no health checks: the zone's ttl
    CHECK(config::dns_convergence_ms(p) == 0);
}

TEST_CASE("a region left out of a proxy's map gets the default region's ordering") {
    test::TempDir dir;
    const auto file = dir.write("zone.yaml", head + R"(regions: { east: {}, west: {}, central: {} }
default_region: central
proxies:
  g: { targets: { east: [ms1], central: [ms2, ms1] } }
)");
    config::ZonePolicy p = config::load_zone_policy(file);
    CHECK(p.proxies[0].orderings[1].size() == 2);
    CHECK(p.proxies[0].orderings[1][0][0].server == 1);
}

TEST_CASE("soa.contact written as a mail address is the RNAME it means (RFC 1035 8)") {
    test::TempDir dir;
    for (const auto& [written, rname] :
         {std::pair{"hostmaster@example.com", "hostmaster.example.com."},
          std::pair{"john.doe@example.com", "john\\.doe.example.com."},
          std::pair{"hostmaster.example.com", "hostmaster.example.com."}}) {
        CAPTURE(written);
        const auto file = dir.write(
            "zone.yaml", std::string("zone: example.com\nsoa: { primary: ns1.example.com, "
                                     "contact: \"") +
                             written + "\", serial: 1 }\nnameservers: { ns1: [192.0.2.1] }\n");
        const config::ZonePolicy p = config::load_zone_policy(file);
        CHECK(p.soa.contact == rname);
        // And it builds: ldns reads the escaped dot as part of the first label.
        auto zone = zone::build_zone(p);
        const ldns_rr* soa = zone->default_view().soa;
        CHECK(ldns_dname_label_count(ldns_rr_rdf(soa, 1)) == 3);
    }
}

TEST_CASE("policy errors name the line and column and what was expected") {
    struct Case {
        std::string yaml;
        std::string expected;
    };
    const std::vector<Case> cases = {
        // An empty name (found by fuzzing: it read past the name's start).
        {"zone: example.com\nsoa: { primary: a, contact: h.example.com, serial: 1 }\n"
         "nameservers: { \"\": [192.0.2.1] }\n",
         ":3:16: nameserver '': expected a name relative to the zone"},
        {head + "proxies:\n  p: { targets: [ms1, ms9] }\n",
         ":8:23: unknown media server 'ms9' in targets (known: ms1, ms2)"},
        {head + "proxies:\n  ms1: { targets: [ms1] }\n",
         ":8:3: duplicate name 'ms1' (first defined at line 5)"},
        {head + "proxies:\n  p: { targets: [{ms1: 70000}] }\n",
         ":8:24: proxies.p.targets weight: 70000 is outside 0..65535"},
        {head + "proxies:\n  p: { targets: [{ms1: -1}] }\n",
         ":8:24: proxies.p.targets weight: -1 is outside 0..65535"},
        {head + "proxies:\n  p: { targets: [ms1], colour: red }\n",
         ":8:24: unknown key 'colour' in proxies.p"},
        {head + "records:\n  - \"www.example.net. IN A 192.0.2.1\"\n",
         ":8:5: name 'www.example.net.' falls outside the zone example.com."},
        {head + "records:\n  - \"www IN A 999.1.1.1\"\n", ":8:5: record does not parse"},
        {head + "records:\n  - \"www IN CNAME x\"\n  - \"www IN A 192.0.2.1\"\n",
         ":9:5: 'www.example.com.' has a CNAME and other data"},
        {head + "records:\n  - \"@ IN SOA a. b. 1 2 3 4 5\"\n",
         ":8:5: the SOA record is made from 'soa:'"},
        {head + "regions: { east: {} }\nproxies:\n  p: { targets: { west: [ms1] } }\n",
         ":7:10: default_region: required when regions are defined"},
        {head + "regions: { east: {}, west: {} }\ndefault_region: west\nproxies:\n  p: { targets: "
                "{ east: [ms1] } }\n",
         ":10:17: proxies.p.targets: the default region 'west' needs an ordering"},
        {head + "proxies:\n  p: { targets: { east: [ms1] } }\n",
         ":8:17: proxies.p.targets: per-region targets need 'regions'"},
        {head + "regions: { east: { match: [Narnia] } }\ndefault_region: east\n",
         ":7:28: regions.east.match: 'Narnia': expected a continent"},
        {head + "media_servers2: {}\n", ":7:1: unknown key 'media_servers2' in zone policy"},
        {"zone: example.com\nsoa: { primary: a, contact: b, serial: 1 }\nnameservers: { ns1: "
         "[not-an-ip] }\n",
         ":3:22: nameservers.ns1: 'not-an-ip' is not an IPv4 or IPv6 address"},
        {head + "proxies:\n  p: { targets: [ms1], transports: [udp, sctp] }\n",
         ":8:42: proxies.p.transports: expected udp, tcp or tls"},
        {head + "proxies:\n  \"bad name!\": { targets: [ms1] }\n",
         ":8:3: proxy 'bad name!': expected a name relative to the zone"},
        {"zone: example.com\nsoa: {primary: a\n", ":2:6: this '{' is never closed"},
        {head + "health: { interval: 1s, timeout: 2s }\n",
         ":7:34: health.timeout: must not be longer than health.interval"},
        {head + "health: { probe: ping }\n",
         ":7:18: health.probe: expected sip-options or tcp-connect"},
        {head + "health: { ok_codes: [200-199] }\n", ":7:22: health.ok_codes: '200-199'"},
        {head + "health: { all_down: panic }\n",
         ":7:21: health.all_down: expected serve-all or serve-none"},
        {head + "health: { transport: [udp, sctp] }\n",
         ":7:28: health.transport: expected udp, tcp or tls"},
        {head + "health: { transport: [tls, tls] }\n",
         ":7:28: health.transport: 'tls' is listed twice"},
        {head + "health: { probe: tcp-connect, transport: [tcp, udp] }\n",
         ":7:42: health.transport: tcp-connect probes tcp or tls, not udp"},
        {head + "health: { transport: tls, tls_ca_file: no-such-ca.pem }\n",
         ":7:40: health.tls_ca_file: cannot read '"},
        {"zone: example.com\nsoa: { primary: a, contact: b, serial: 1 }\nnameservers: { ns1: "
         "[192.0.2.1] }\nhealth: { probe: tcp-connect }\nmedia_servers:\n  ms1: { addresses: "
         "[192.0.2.11], probe_transport: [tls, udp] }\n",
         ":6:3: media_servers.ms1.probe_transport: tcp-connect probes tcp or tls, not udp"},
        {head + "  ms3: { addresses: [192.0.2.13], tls_name: \"bad name\" }\n",
         ":7:45: media_servers.ms3.tls_name: 'bad name' is not a valid host name"},
        {head + "  ms3: { addresses: [192.0.2.13], load_url: \"https://x/load\" }\n",
         ":7:45: media_servers.ms3.load_url: expected an http:// URL"},
        {head + "health: { load: { min_weight: 50, max_weight: 10 } }\n",
         ":7:31: health.load.min_weight: must not exceed max_weight"},
        {head + "health: { load: { smoothing: 0 } }\n",
         ":7:30: health.load.smoothing: expected a share above 0, at most 1"},
        {head + "  ms3: { addresses: [192.0.2.13], probe_ports: { tls: 0 } }\n",
         ":7:55: media_servers.ms3.probe_ports.tls: 0 is outside 1..65535"},
        {"zone: example.com\nsoa: { primary: a, contact: b, serial: 1 }\nnameservers: { ns1: "
         "[192.0.2.1] }\nmedia_servers:\n  ms1.voice.example.com: { addresses: [192.0.2.11] }\n",
         ":5:3: media server 'ms1.voice.example.com': expected a single label (letters, digits, "
         "'-', '_'), such as 'ms1'"},
        {"zone: example.com\nsoa: { primary: a, contact: \"@example.com\", serial: 1 }\n"
         "nameservers: { ns1: [192.0.2.1] }\n",
         ":2:29: soa.contact: expected a mailbox such as hostmaster@example.com or its RNAME "
         "form hostmaster.example.com."},
    };
    for (const auto& c : cases) {
        CAPTURE(c.yaml);
        const std::string error = error_of(c.yaml);
        CHECK(error.substr(0, c.expected.size()) == c.expected);
    }
}

TEST_CASE("a generated name longer than 255 bytes is an error where its label is defined") {
    // A zone name of 244 bytes in wire form (234 with `c` 40): its own names
    // fit, a proxy's SRV names (13 and 14 bytes more) or a long media
    // server label do not.
    const auto policy = [](std::size_t c) {
        const std::string l60(60, 'a');
        const std::string zone =
            l60 + "." + l60 + "." + l60 + ".b" + std::string(c, 'c') + ".example";
        return std::pair{zone, "zone: " + zone + "\nsoa: { primary: ns1." + zone +
                                   ", contact: h.example.com, serial: 1 }\nnameservers: { ns1: "
                                   "[192.0.2.1] }\nmedia_servers:\n  ms1: { addresses: "
                                   "[192.0.2.11] }\n"};
    };
    const auto [fits, fits_head] = policy(40);
    CHECK(error_of(fits_head +
                   "proxies:\n  pr: { transports: [udp, tcp, tls], targets: [ms1] }\n") == "");
    const auto [zone, top] = policy(50);
    CHECK(error_of(top + "proxies:\n  pr: { transports: [udp], targets: [ms1] }\n")
              .starts_with(":7:3: '_sip._udp.pr." + zone +
                           ".' is longer than a domain name may be (255 bytes)"));
    CHECK(error_of(top + "  " + std::string(12, 'm') + ": { addresses: [192.0.2.12] }\n")
              .starts_with(":6:3: '" + std::string(12, 'm') + "." + zone + ".' is longer"));
    // A record's relative owner or target, completed with the zone's name.
    CHECK(error_of(top + "records:\n  - \"" + std::string(20, 'r') + " IN TXT hi\"\n")
              .starts_with(":7:5: a name of this record is longer than a domain name may be"));
    CHECK(error_of(top + "records:\n  - \"w IN CNAME " + std::string(20, 'r') + "\"\n")
              .starts_with(":7:5: a name of this record is longer"));
    CHECK(error_of(top + "records:\n  - \"w IN CNAME " + std::string(5, 'r') + "\"\n") == "");
}

TEST_CASE("limits: an oversized file and a zone too large to build are errors, not out-of-memory") {
    test::TempDir dir;
    std::string big = head + "records:\n";
    const std::string line = "  - \"www IN TXT \\\"" + std::string(200, 'x') + "\\\"\"\n";
    while (big.size() <= config::YamlReader::max_file_bytes) big += line;
    std::string file;
    const auto e = error_of(big, &file);
    CHECK(e.find(": file is 64 MiB; the limit is 64 MiB") == 0);

    // 1,000 regions x 1,000 proxies: a small file that would expand to
    // millions of records (every proxy has an ordering per region).
    std::string many = head + "regions:\n";
    for (int i = 0; i < 1000; ++i) many += "  r" + std::to_string(i) + ": {}\n";
    many += "default_region: r0\nproxies:\n";
    for (int i = 0; i < 1000; ++i)
        many += "  p" + std::to_string(i) + ": { targets: [ms1, ms2] }\n";
    CHECK(error_of(many).find("records over its regions; the limit is 5000000") !=
          std::string::npos);
}
