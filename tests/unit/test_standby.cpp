// Answers prepared ahead (zone::Standby) are the answers a rebuild makes:
// over a random run of health changes to partner zones that share their
// media servers (one zone signed, regions with weighted tiers), each change
// is applied twice, once by building and compiling the changed zones as
// a rebuild without a standby does, once from a standby holding that state
// among others, and every zone's compiled answers must be the same bytes.
#include "support/test_support.hpp"
#include "zone/model/health_ordering.hpp"
#include "zone/model/zone_builder.hpp"
#include "zone/snapshot/snapshot_loader.hpp"
#include "zone/snapshot/standby.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <random>

using namespace srvd;
using health::ServerHealth;
using health::ServerState;

namespace {

const char* platform = "health: { probe: tcp-connect }\n"
                       "media_servers:\n"
                       "  ms1: { addresses: [192.0.2.11] }\n"
                       "  ms2: { addresses: [192.0.2.12] }\n"
                       "  ms3: { addresses: [192.0.2.13, \"2001:db8::13\"] }\n"
                       "  ms4: { addresses: [\"2001:db8::14\"] }\n"
                       "regions:\n"
                       "  east: { match: [US-NY], location: [40.71, -74.01] }\n"
                       "  west: { match: [US-CA], location: [37.77, -122.42] }\n"
                       "default_region: east\n";

std::string partner(const std::string& name, const std::string& extra = "") {
    return "zone: " + name + "\nsoa: { primary: ns1." + name + ", contact: h." + name +
           ", serial: 1 }\nnameservers: { ns1: [192.0.2.1] }\ninclude: ../platform.yaml\n"
           "proxies:\n"
           "  a: { targets: [ms1, ms2, ms3, ms4] }\n"
           "  sip:\n    transports: [udp, tcp, tls]\n    targets:\n"
           "      east: [{ms1: 50, ms2: 50}, ms3, ms4]\n"
           "      west: [ms3, {ms4: 70, ms1: 30}]\n"
           "records: [\"www IN CNAME sip\", \"*.w IN CNAME a\"]\n" +
           extra;
}

// Two compiled zones hold the same answers laid out the same way.
void check_same(const zone::CompiledZone& a, const zone::CompiledZone& b) {
    // Blobs may lie elsewhere in buffers shared with earlier compiles: each
    // slot's blob is compared, not its offset.
    const auto blob = [](const zone::CompiledZone& z, const zone::Answer& x) {
        return z.bytes->view().substr(x.blob_offset, x.blob_length);
    };
    CHECK(a.names == b.names);
    REQUIRE(a.entries.size() == b.entries.size());
    for (std::size_t i = 0; i < a.entries.size(); ++i) {
        const auto &x = a.entries[i], &y = b.entries[i];
        CHECK((x.qtype == y.qtype && x.regions == y.regions && x.variants == y.variants &&
               x.first_slot == y.first_slot && x.varying_regions == y.varying_regions &&
               x.signed_first_slot == y.signed_first_slot));
    }
    REQUIRE(a.slots.size() == b.slots.size());
    for (std::size_t i = 0; i < a.slots.size(); ++i) {
        const auto &x = a.slots[i], &y = b.slots[i];
        CHECK(blob(a, x) == blob(b, y));
        CHECK((x.blob_length == y.blob_length && x.rcode == y.rcode &&
               x.authoritative == y.authoritative && x.required_arcount == y.required_arcount &&
               x.cuts_begin == y.cuts_begin && x.cuts_count == y.cuts_count &&
               x.patches_begin == y.patches_begin && x.patches_count == y.patches_count &&
               std::equal(std::begin(x.counts), std::end(x.counts), std::begin(y.counts))));
    }
    CHECK(a.cuts == b.cuts);
    CHECK(a.patches == b.patches);
    CHECK((a.denial == nullptr) == (b.denial == nullptr));
}

// Drained servers leave answers as down ones do: the states a zone's
// answers are built with take up, down and draining (a probe's 503), and
// now and then differ by transport (probes per transport), so one proxy's
// SRV sets are ordered apart.
std::vector<ServerState> random_states(std::mt19937& rng, std::size_t n) {
    const auto one = [&rng] {
        const auto r = rng() % 6;
        return r < 3 ? ServerHealth::up : r < 5 ? ServerHealth::down : ServerHealth::draining;
    };
    std::vector<ServerState> out(n);
    for (auto& s : out) {
        s = one();
        if (rng() % 3 == 0)
            for (auto t : {config::Transport::udp, config::Transport::tcp, config::Transport::tls})
                s.set(t, one());
    }
    return out;
}

} // namespace

TEST_CASE("answers prepared ahead are those a rebuild compiles, over random health changes") {
    test::TempDir dir;
    dir.write("platform.yaml", platform);
    REQUIRE(std::system(("cd '" + dir.path() +
                         "' && mkdir -p keys && cd keys && ldns-keygen -a ECDSAP256SHA256 -k "
                         "b.example > csk.name")
                            .c_str()) == 0);
    std::string csk;
    std::ifstream(dir.path() + "/keys/csk.name") >> csk; // the key's base name
    dir.write("zones/a.example.yaml", partner("a.example"));
    dir.write("zones/b.example.yaml",
              partner("b.example", "dnssec: { keys: [../keys/" + csk + "] }\n"));
    dir.write("zones/c.example.yaml", partner("c.example"));
    auto served = zone::load_all(dir.write("srvd.yaml", "zones: [zones]\n")).snapshot;
    REQUIRE(served->zones.size() == 3);
    REQUIRE(served->find_zone("b.example")->keys != nullptr);

    std::mt19937 rng(20261205);
    std::size_t prepared_used = 0, compared = 0;
    for (int step = 0; step < 40; ++step) {
        CAPTURE(step);
        // What each zone goes to: one state for the platform, as shared
        // probes give; now and then one zone's own (a drain in one zone).
        auto next = random_states(rng, 4);
        std::vector<std::vector<ServerState>> wanted(served->zones.size(), next);
        if (step % 3 == 0) wanted[rng() % wanted.size()] = random_states(rng, 4);

        // The standby holds the wanted state among decoys: other states of
        // the same zones, and the wanted state of zones since rebuilt.
        zone::Standby standby;
        std::vector<std::size_t> added(served->zones.size(), 0);
        for (std::size_t i = 0; i < served->zones.size(); ++i) {
            const auto& z = served->zones[i];
            for (int decoy = 0; decoy < 2; ++decoy) {
                auto other = random_states(rng, 4);
                if (zone::same_health(other, wanted[i]) || zone::same_health(other, z.data->health))
                    continue;
                auto data = zone::build_zone(z.data->policy, other, z.data.get());
                auto compiled = zone::compile_zone(*data, z.compiled.get());
                standby.add(z.data, {std::move(data), std::move(compiled)});
                ++added[i];
            }
            if (zone::same_health(wanted[i], z.data->health) || rng() % 4 == 0) continue;
            auto data = zone::build_zone(z.data->policy, wanted[i], z.data.get());
            auto compiled = zone::compile_zone(*data, z.compiled.get());
            standby.add(z.data, {std::move(data), std::move(compiled)});
            ++added[i];
        }

        // As Control::rebuild: from the standby where it has the state.
        std::vector<std::shared_ptr<const zone::ZoneData>> from_standby, compiled_now;
        std::vector<zone::ZoneEntry> ahead;
        for (std::size_t i = 0; i < served->zones.size(); ++i) {
            const auto& z = served->zones[i];
            if (zone::same_health(z.data->health, wanted[i])) {
                from_standby.push_back(z.data);
                compiled_now.push_back(z.data);
                continue;
            }
            compiled_now.push_back(zone::build_zone(z.data->policy, wanted[i], z.data.get()));
            if (const zone::ZoneEntry* ready = standby.find(*z.data, wanted[i])) {
                CHECK(zone::same_health(ready->data->health, wanted[i]));
                ahead.push_back(*ready);
                from_standby.push_back(ready->data);
                ++prepared_used;
            } else {
                from_standby.push_back(compiled_now.back());
            }
        }
        zone::SnapshotOptions o;
        o.recompile_of = served.get();
        auto rebuilt = zone::compile_snapshot(compiled_now, o);
        o.compiled_ahead = &ahead;
        auto prepared = zone::compile_snapshot(from_standby, o);
        REQUIRE(prepared->zones.size() == rebuilt->zones.size());
        for (std::size_t i = 0; i < rebuilt->zones.size(); ++i) {
            CAPTURE(rebuilt->zones[i].data->policy.zone);
            CHECK(zone::same_health(prepared->zones[i].data->health, wanted[i]));
            check_same(*prepared->zones[i].compiled, *rebuilt->zones[i].compiled);
            // Both share answers with earlier compiles: the same as compiled
            // from nothing.
            check_same(*rebuilt->zones[i].compiled, *zone::compile_zone(*rebuilt->zones[i].data));
            ++compared;
        }
        // The answers the engine gives from either.
        for (const char* name : {"_sip._udp.sip.b.example.", "sip.a.example.", "a.c.example.",
                                 "www.b.example.", "x.w.a.example."})
            for (std::uint16_t type : {LDNS_RR_TYPE_SRV, LDNS_RR_TYPE_NAPTR, LDNS_RR_TYPE_A,
                                       LDNS_RR_TYPE_AAAA, LDNS_RR_TYPE_ANY}) {
                CAPTURE(name);
                CAPTURE(type);
                CHECK(test::ask(*prepared, name, type).wire ==
                      test::ask(*rebuilt, name, type).wire);
            }
        // The next change is made from what was taken; what was prepared
        // from the zones it replaced is forgotten, the rest kept.
        std::size_t kept = 0;
        for (std::size_t i = 0; i < served->zones.size(); ++i)
            if (prepared->zones[i].data == served->zones[i].data) kept += added[i];
        served = prepared;
        standby.keep_only(*served);
        CHECK(standby.zones() == kept);
    }
    CHECK(prepared_used > 20); // the standby was really taken from, not only compiled past
    CHECK(compared == 120);
}

TEST_CASE("a standby forgets what was prepared from zones no longer served") {
    test::TempDir dir;
    dir.write("platform.yaml", platform);
    dir.write("zones/a.example.yaml", partner("a.example"));
    dir.write("zones/c.example.yaml", partner("c.example"));
    auto served = zone::load_all(dir.write("srvd.yaml", "zones: [zones]\n")).snapshot;
    zone::Standby standby;
    const std::vector<ServerState> ms1_down{ServerHealth::down, ServerHealth::up, ServerHealth::up,
                                            ServerHealth::up};
    for (const auto& z : served->zones) {
        auto data = zone::build_zone(z.data->policy, ms1_down, z.data.get());
        auto compiled = zone::compile_zone(*data);
        standby.add(z.data, {std::move(data), std::move(compiled)});
    }
    CHECK(standby.zones() == 2);
    CHECK(standby.memory() > 0);
    CHECK(standby.find(*served->zones[0].data, ms1_down) != nullptr);
    CHECK(standby.find(*served->zones[0].data, {ServerHealth::up, ServerHealth::down}) == nullptr);
    // A reload that changes a.example only: c.example's stays.
    dir.write("zones/a.example.yaml", partner("a.example", "ttl: 60\n"));
    auto reloaded = zone::load_all(dir.path() + "/srvd.yaml", {.previous = served.get()}).snapshot;
    standby.keep_only(*reloaded);
    CHECK(standby.zones() == 1);
    CHECK(standby.find(*reloaded->find_zone("c.example"), ms1_down) != nullptr);
    CHECK(standby.find(*reloaded->find_zone("a.example"), ms1_down) == nullptr);
    // Freed later, a few at a time.
    CHECK(standby.has_forgotten());
    standby.free(16);
    CHECK_FALSE(standby.has_forgotten());
}

TEST_CASE("after a change, the standby keeps what is one server away: a second failure, a return") {
    test::TempDir dir;
    dir.write("platform.yaml", platform);
    dir.write("zones/a.example.yaml", partner("a.example"));
    auto served = zone::load_all(dir.write("srvd.yaml", "zones: [zones]\n")).snapshot;
    const zone::ZoneEntry& all_up = served->zones[0];
    const auto up = ServerHealth::up, down = ServerHealth::down;
    const std::vector<ServerState> ms1{down, up, up, up}, ms2{up, down, up, up},
        ms1_ms2{down, down, up, up}, ms2_ms3{up, down, down, up}, ms1_back{up, up, up, up};
    zone::Standby standby;
    const auto prepare = [&](const std::vector<ServerState>& states) {
        auto data = zone::build_zone(all_up.data->policy, states, all_up.data.get());
        auto compiled = zone::compile_zone(*data, all_up.compiled.get());
        standby.add(all_up.data, {std::move(data), std::move(compiled)});
    };
    for (const auto& states : {ms1, ms2, ms1_ms2, ms2_ms3}) prepare(states);
    REQUIRE(standby.zones() == 4);
    // ms1 fails: its prepared zone is served.
    const zone::ZoneEntry failed = *standby.find(*all_up.data, ms1);
    standby.adopt(all_up, failed.data, 1u << 30);
    // Kept: ms2 failing next (the pair) and ms1's return (the zone served
    // before); gone: ms2 alone and ms2 with ms3 (two servers away), and the
    // state now served.
    CHECK(standby.zones() == 2);
    const zone::ZoneEntry* pair = standby.find(*failed.data, ms1_ms2);
    REQUIRE(pair != nullptr);
    CHECK(standby.find(*failed.data, ms1_back) != nullptr);
    CHECK(standby.find(*failed.data, ms1_back)->data == all_up.data);
    CHECK(standby.find(*failed.data, ms2) == nullptr);
    CHECK(standby.find(*failed.data, ms2_ms3) == nullptr);
    CHECK(standby.find(*failed.data, ms1) == nullptr);
    CHECK(standby.find(*all_up.data, ms1_ms2) == nullptr); // moved, not copied
    // What is kept answers as a compile of that state from nothing.
    check_same(*pair->compiled,
               *zone::compile_zone(*zone::build_zone(all_up.data->policy, ms1_ms2)));
    // Kept across the refresh that follows the publish.
    auto now = zone::compile_snapshot({failed.data}, {});
    standby.keep_only(*now);
    CHECK(standby.zones() == 2);
    // The zone served before is kept only within the budget.
    zone::Standby tight;
    tight.adopt(all_up, failed.data, 0);
    CHECK(tight.zones() == 0);
}

TEST_CASE("a compile shares the answers it has in common with the zone compiled before") {
    test::TempDir dir;
    dir.write("platform.yaml", platform);
    // Answers past 1 MiB (each TXT its own: an answer's records point at
    // the question for their owner): a buffer with room to append into (a
    // smaller zone's is as big as its answers, and copied at each compile).
    std::string records = "records: [\"www IN CNAME sip\"";
    const std::string text(250, 'x');
    for (int i = 0; i < 5000; ++i)
        records += ", \"t" + std::to_string(i) + " IN TXT " + text + std::to_string(i) + "\"";
    const auto policy = [&](const std::string& more) {
        std::string p = partner("a.example");
        p.erase(p.find("records:"));
        return p + records + more + "]\n";
    };
    dir.write("zones/a.example.yaml", policy(""));
    auto served = zone::load_all(dir.write("srvd.yaml", "zones: [zones]\n")).snapshot;
    const auto& first = *served->zones.front().compiled;
    CHECK(first.bytes_written == first.bytes->size());
    CHECK(first.live_bytes == first.bytes->size());
    CHECK(first.bytes->size() > (1u << 20));
    CHECK(first.bytes->capacity() > first.bytes->size());

    // One record more: its answers are appended to the same buffer, the
    // rest are where they were.
    dir.write("zones/a.example.yaml", policy(", \"new IN TXT added\""));
    auto reloaded = zone::load_all(dir.path() + "/srvd.yaml", {.previous = served.get()}).snapshot;
    const auto& second = *reloaded->zones.front().compiled;
    CHECK(second.bytes == first.bytes);
    CHECK(second.bytes_written > 0);
    CHECK(second.bytes_written * 4 < first.bytes_written);
    CHECK(test::ask(*reloaded, "new.a.example.", LDNS_RR_TYPE_TXT).section(0).size() == 1);
    check_same(second, *zone::compile_zone(*reloaded->zones.front().data));

    // Another TTL changes every answer: nothing in common, a buffer of its own.
    dir.write("zones/a.example.yaml", "ttl: 60\n" + policy(""));
    auto third = zone::load_all(dir.path() + "/srvd.yaml", {.previous = reloaded.get()}).snapshot;
    const auto& changed = *third->zones.front().compiled;
    CHECK(changed.bytes != first.bytes);
    CHECK(changed.bytes_written == changed.bytes->size());
    check_same(changed, *zone::compile_zone(*third->zones.front().data));
    // The first snapshot still answers from its own bytes, unchanged.
    CHECK(test::ask(*served, "sip.a.example.", LDNS_RR_TYPE_A).wire ==
          test::ask(*reloaded, "sip.a.example.", LDNS_RR_TYPE_A).wire);
    CHECK(test::ask(*served, "t4999.a.example.", LDNS_RR_TYPE_TXT).wire ==
          test::ask(*reloaded, "t4999.a.example.", LDNS_RR_TYPE_TXT).wire);
    CHECK(test::ask(*served, "new.a.example.", LDNS_RR_TYPE_TXT).rcode() == dns::rcode::NXDOMAIN);
}
