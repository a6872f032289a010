// The failover drill's comparison (srvd check --down): what it says would
// change is what a server with those media servers down answers.
#include "support/test_support.hpp"
#include "zone/model/answer_diff.hpp"
#include "zone/model/zone_builder.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace srvd;
using health::ServerHealth;
using health::ServerState;

namespace {

const char* const policy = R"(zone: d.example
soa: { primary: ns1.d.example, contact: h.d.example, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
media_servers:
  ms1: { addresses: [192.0.2.11] }
  ms2: { addresses: [192.0.2.12] }
regions:
  east: { match: [US-NY] }
  west: { match: [US-CA] }
default_region: east
health: { probe: tcp-connect, all_down: serve-none }
proxies:
  a: { targets: [ms1, ms2] }
  b:
    targets:
      east: [ms2]
      west: [ms1, ms2]
records: ["www IN A 192.0.2.80"]
)";

// The RDATA of the answer section's records of `type`, in order.
std::vector<std::string> rdata_of(const test::Response& r, const std::string& type) {
    std::vector<std::string> out;
    for (const auto& line : r.section(0)) {
        const auto at = line.find(" IN " + type + " ");
        if (at != std::string::npos) out.push_back(line.substr(at + type.size() + 5));
    }
    return out;
}

} // namespace

TEST_CASE("a drill lists the answers a failure changes, as a server with it down answers them") {
    test::TempDir dir;
    dir.write("d.example.yaml", policy);
    auto loaded = zone::load_all(dir.write("srvd.yaml", "zones: [d.example.yaml]\n"));
    const auto& up = *loaded.snapshot->zones.front().data;
    const std::vector<ServerState> ms1_down{ServerHealth::down, ServerHealth::up};
    const auto down = zone::build_zone(up.policy, ms1_down, &up);
    const auto changes = zone::answer_changes(up, *down);

    const auto find = [&](const std::string& region, const std::string& name, std::uint16_t type) {
        return std::find_if(changes.begin(), changes.end(), [&](const zone::AnswerChange& c) {
            return c.region == region && c.name == name && c.type == type;
        });
    };
    // a: in both regions, ms1 leaves; b: only in the west, where it is listed.
    for (const char* region : {"east", "west"}) {
        const auto c = find(region, "_sip._udp.a.d.example.", LDNS_RR_TYPE_SRV);
        REQUIRE(c != changes.end());
        CHECK(c->before.size() == 2);
        CHECK(c->after.size() == 1);
    }
    CHECK(find("east", "_sip._udp.b.d.example.", LDNS_RR_TYPE_SRV) == changes.end());
    CHECK(find("west", "_sip._udp.b.d.example.", LDNS_RR_TYPE_SRV) != changes.end());
    CHECK(find("east", "www.d.example.", LDNS_RR_TYPE_A) == changes.end());

    // What the drill says comes after is what the engine answers with ms1
    // down (the default region's view: east).
    const auto served = zone::compile_snapshot({down});
    const auto c = find("east", "_sip._udp.a.d.example.", LDNS_RR_TYPE_SRV);
    CHECK(rdata_of(test::ask(*served, "_sip._udp.a.d.example.", LDNS_RR_TYPE_SRV), "SRV") ==
          c->after);
    const auto a = find("east", "a.d.example.", LDNS_RR_TYPE_A);
    REQUIRE(a != changes.end());
    CHECK(rdata_of(test::ask(*served, "a.d.example.", LDNS_RR_TYPE_A), "A") == a->after);

    // Both down under serve-none: the proxies' answers empty, nothing else.
    const auto none = zone::build_zone(
        up.policy, std::vector<ServerState>{ServerHealth::down, ServerHealth::down}, &up);
    const auto emptied = zone::answer_changes(up, *none);
    CHECK(!emptied.empty());
    for (const auto& e : emptied) {
        CAPTURE(e.name);
        CHECK(e.after.empty());
        CHECK(e.name.find("www") == std::string::npos);
    }
    CHECK(zone::answer_changes(up, up).empty());
}
