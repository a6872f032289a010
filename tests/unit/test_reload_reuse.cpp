// A reload keeps what did not change: zones whose files (and included files)
// hold the same bytes and whose media servers' health is as it was keep
// their ZoneData and compiled answers; everything else is rebuilt, and the
// answers are those a fresh load gives.
#include "support/test_support.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <doctest/doctest.h>

#include <cstdio>

using namespace srvd;

namespace {

std::string partner(const std::string& name, const std::string& extra = "") {
    return "zone: " + name + "\nsoa: { primary: ns1." + name + ", contact: h." + name +
           ", serial: 1 }\nnameservers: { ns1: [192.0.2.1] }\ninclude: ../platform.yaml\n"
           "proxies: { p: { targets: [ms1, ms2] } }\nrecords: [\"www IN A 192.0.2.80\"" +
           extra + "]\n";
}

const char* platform = "health: { probe: tcp-connect }\n"
                       "media_servers:\n  ms1: { addresses: [192.0.2.11] }\n"
                       "  ms2: { addresses: [192.0.2.12] }\n";

struct Platform {
    test::TempDir dir;
    std::string config;
    Platform() {
        dir.write("platform.yaml", platform);
        dir.write("zones/a.example.yaml", partner("a.example"));
        dir.write("zones/b.example.yaml", partner("b.example"));
        config = dir.write("srvd.yaml", "zones: [zones]\n");
    }
};

const zone::ZoneEntry& entry(const zone::Snapshot& s, const std::string& name) {
    const zone::ZoneData* data = s.find_zone(name);
    REQUIRE(data != nullptr);
    for (const auto& z : s.zones)
        if (z.data.get() == data) return z;
    FAIL("zone listed in zone_index but not in zones");
    throw;
}

std::vector<std::string> srv_targets(const zone::Snapshot& s, const std::string& zone) {
    std::vector<std::string> out;
    for (const auto& line : test::ask(s, "_sip._udp.p." + zone, LDNS_RR_TYPE_SRV).section(0))
        out.push_back(line.substr(line.rfind(' ') + 1));
    return out;
}

} // namespace

TEST_CASE("a reload with nothing changed keeps every zone, compiled answers and all") {
    Platform p;
    auto first = zone::load_all(p.config);
    auto second = zone::load_all(p.config, {.previous = first.snapshot.get()});
    for (const char* name : {"a.example.", "b.example."}) {
        CHECK(entry(*second.snapshot, name).data == entry(*first.snapshot, name).data);
        CHECK(entry(*second.snapshot, name).compiled == entry(*first.snapshot, name).compiled);
    }
    CHECK(srv_targets(*second.snapshot, "a.example.") ==
          std::vector<std::string>{"ms1.a.example.", "ms2.a.example."});
    CHECK(test::ask(*second.snapshot, "www.b.example.", LDNS_RR_TYPE_A).section(0) ==
          std::vector<std::string>{"www.b.example. 300 IN A 192.0.2.80"});
}

TEST_CASE("a reload rebuilds the zone whose file changed, and only it") {
    Platform p;
    auto first = zone::load_all(p.config);
    p.dir.write("zones/b.example.yaml", partner("b.example", ", \"new IN A 192.0.2.99\""));
    auto second = zone::load_all(p.config, {.previous = first.snapshot.get()});
    CHECK(entry(*second.snapshot, "a.example.").compiled ==
          entry(*first.snapshot, "a.example.").compiled);
    CHECK(entry(*second.snapshot, "b.example.").compiled !=
          entry(*first.snapshot, "b.example.").compiled);
    CHECK(test::ask(*second.snapshot, "new.b.example.", LDNS_RR_TYPE_A).section(0) ==
          std::vector<std::string>{"new.b.example. 300 IN A 192.0.2.99"});
    CHECK(test::ask(*second.snapshot, "new.a.example.", LDNS_RR_TYPE_A).rcode() ==
          LDNS_RCODE_NXDOMAIN);
}

TEST_CASE("a changed include rebuilds every zone that includes it") {
    Platform p;
    auto first = zone::load_all(p.config);
    p.dir.write("platform.yaml", std::string(platform) + "  ms3: { addresses: [192.0.2.13] }\n");
    auto second = zone::load_all(p.config, {.previous = first.snapshot.get()});
    for (const char* name : {"a.example.", "b.example."}) {
        CHECK(entry(*second.snapshot, name).data != entry(*first.snapshot, name).data);
        CHECK(test::ask(*second.snapshot, std::string("ms3.") + name, LDNS_RR_TYPE_A)
                  .section(0)
                  .size() == 1);
    }
}

TEST_CASE("zones added and removed by a reload") {
    Platform p;
    auto first = zone::load_all(p.config);
    std::remove((p.dir.path() + "/zones/a.example.yaml").c_str());
    p.dir.write("zones/c.example.yaml", partner("c.example"));
    auto second = zone::load_all(p.config, {.previous = first.snapshot.get()});
    CHECK(second.snapshot->find_zone("a.example.") == nullptr);
    CHECK(test::ask(*second.snapshot, "www.a.example.", LDNS_RR_TYPE_A).rcode() ==
          LDNS_RCODE_REFUSED);
    CHECK(srv_targets(*second.snapshot, "c.example.") ==
          std::vector<std::string>{"ms1.c.example.", "ms2.c.example."});
    CHECK(entry(*second.snapshot, "b.example.").compiled ==
          entry(*first.snapshot, "b.example.").compiled);
}

TEST_CASE("a reload builds answers with the servers' current health: a down server stays out") {
    Platform p;
    auto first = zone::load_all(p.config);
    // What the health monitor would say: ms1 down (policy order: ms1, ms2).
    auto ms1_down = [](const config::ZonePolicy&) {
        return std::vector<health::ServerState>{health::ServerHealth::down,
                                                 health::ServerHealth::up};
    };
    auto second = zone::load_all(p.config, {.previous = first.snapshot.get(), .health = ms1_down});
    CHECK(entry(*second.snapshot, "a.example.").compiled !=
          entry(*first.snapshot, "a.example.").compiled);
    CHECK(srv_targets(*second.snapshot, "a.example.") ==
          std::vector<std::string>{"ms2.a.example."});
    CHECK(srv_targets(*second.snapshot, "b.example.") ==
          std::vector<std::string>{"ms2.b.example."});
    // Same states again: kept; back up: rebuilt with ms1.
    auto third = zone::load_all(p.config, {.previous = second.snapshot.get(), .health = ms1_down});
    CHECK(entry(*third.snapshot, "a.example.").compiled ==
          entry(*second.snapshot, "a.example.").compiled);
    auto fourth = zone::load_all(p.config, {.previous = third.snapshot.get()});
    CHECK(srv_targets(*fourth.snapshot, "a.example.") ==
          std::vector<std::string>{"ms1.a.example.", "ms2.a.example."});
}

TEST_CASE("a reused zone's answers are byte for byte those of a fresh load") {
    Platform p;
    p.dir.write("zones/b.example.yaml", partner("b.example", ", \"*.w IN TXT \\\"x\\\"\""));
    auto first = zone::load_all(p.config);
    p.dir.write("zones/a.example.yaml", partner("a.example", ", \"new IN A 192.0.2.99\""));
    auto reloaded = zone::load_all(p.config, {.previous = first.snapshot.get()});
    auto fresh = zone::load_all(p.config);
    // b.example was reused (else this would compare two fresh compilations),
    // a.example rebuilt.
    REQUIRE(entry(*reloaded.snapshot, "b.example.").compiled ==
            entry(*first.snapshot, "b.example.").compiled);
    REQUIRE(entry(*reloaded.snapshot, "a.example.").compiled !=
            entry(*first.snapshot, "a.example.").compiled);
    for (const char* name : {"p.b.example.", "_sip._udp.p.b.example.", "x.w.b.example.",
                             "nothing.b.example.", "new.a.example.", "p.a.example."})
        for (std::uint16_t type : {LDNS_RR_TYPE_NAPTR, LDNS_RR_TYPE_SRV, LDNS_RR_TYPE_A,
                                   LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_ANY}) {
            CAPTURE(name);
            CAPTURE(type);
            CHECK(test::ask(*reloaded.snapshot, name, type).wire ==
                  test::ask(*fresh.snapshot, name, type).wire);
        }
}

TEST_CASE("a reload that lowers an explicit serial warns, and one that raises it does not") {
    Platform p;
    const std::string a = p.dir.path() + "/zones/a.example.yaml";
    p.dir.write("zones/a.example.yaml", partner("a.example"));
    auto first = zone::load_all(p.config);
    std::string text = partner("a.example");
    text.replace(text.find("serial: 1"), 9, "serial: 5");
    p.dir.write("zones/a.example.yaml", text);
    auto raised = zone::load_all(p.config, {.previous = first.snapshot.get()});
    CHECK(raised.warnings.empty());
    p.dir.write("zones/a.example.yaml", partner("a.example"));
    auto lowered = zone::load_all(p.config, {.previous = raised.snapshot.get()});
    REQUIRE(lowered.warnings.size() == 1);
    CHECK(lowered.warnings[0] ==
          a + ": zone a.example.: soa.serial goes back from 5 to 1: secondaries will not transfer "
              "it (RFC 1982); raise it past 5");
}
