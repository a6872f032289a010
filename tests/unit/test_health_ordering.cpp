#include "zone/model/health_ordering.hpp"

#include <doctest/doctest.h>

using namespace srvd;
using health::ServerHealth;

namespace {
config::Ordering ordering(std::initializer_list<std::initializer_list<std::size_t>> tiers) {
    config::Ordering o;
    for (auto t : tiers) {
        config::Tier tier;
        for (auto s : t) tier.push_back({s, 0});
        o.push_back(tier);
    }
    return o;
}
std::vector<std::vector<std::size_t>> servers(const config::Ordering& o) {
    std::vector<std::vector<std::size_t>> out;
    for (const auto& t : o) {
        out.emplace_back();
        for (const auto& m : t) out.back().push_back(m.server);
    }
    return out;
}
using S = std::vector<std::vector<std::size_t>>;
constexpr auto up = ServerHealth::up, down = ServerHealth::down, draining = ServerHealth::draining;
constexpr auto udp = config::Transport::udp, tcp = config::Transport::tcp,
               tls = config::Transport::tls;
} // namespace

TEST_CASE("apply_health: down servers leave, tiers close up") {
    const config::Ordering o = ordering({{0}, {1, 2}, {3}});
    CHECK(servers(zone::apply_health(o, {up, up, up, up}, udp, true)) == S{{0}, {1, 2}, {3}});
    CHECK(servers(zone::apply_health(o, {down, up, up, up}, udp, true)) == S{{1, 2}, {3}});
    CHECK(servers(zone::apply_health(o, {up, down, down, up}, udp, true)) == S{{0}, {3}});
    CHECK(servers(zone::apply_health(o, {up, down, up, up}, udp, true)) == S{{0}, {2}, {3}});
}

TEST_CASE("apply_health: draining kept only when nothing is up, all down fails open or empty") {
    const config::Ordering o = ordering({{0}, {1}, {2}});
    CHECK(servers(zone::apply_health(o, {up, draining, up}, udp, true)) == S{{0}, {2}});
    CHECK(servers(zone::apply_health(o, {down, draining, down}, udp, true)) == S{{1}});
    CHECK(servers(zone::apply_health(o, {down, down, down}, udp, true)) == S{{0}, {1}, {2}});
    CHECK(zone::apply_health(o, {down, down, down}, udp, false).empty());
    CHECK(servers(zone::apply_health(o, {}, udp, false)) == S{{0}, {1}, {2}}); // unknown: up
}

TEST_CASE("apply_health: each transport's ordering follows that transport's state") {
    const config::Ordering o = ordering({{0}, {1}});
    // ms0 answers over UDP and TCP but not over TLS; ms1 is up everywhere.
    health::ServerState ms0(up);
    ms0.set(tls, down);
    const std::vector<health::ServerState> states{ms0, up};
    CHECK(servers(zone::apply_health(o, states, udp, true)) == S{{0}, {1}});
    CHECK(servers(zone::apply_health(o, states, tcp, true)) == S{{0}, {1}});
    CHECK(servers(zone::apply_health(o, states, tls, true)) == S{{1}});
    // Down over TLS only is not "all down" for the zone.
    config::ZonePolicy zone;
    zone.media_servers.resize(2);
    CHECK(zone::all_down_fallback(zone, states) == nullptr);
    CHECK(zone::all_down_fallback(zone, {down, down}) != nullptr);
    health::ServerState tls_only(down);
    tls_only.set(tls, up);
    CHECK(zone::all_down_fallback(zone, {tls_only, down}) == nullptr);
}

TEST_CASE("apply_health: a weight from load replaces the configured one in tiers of several") {
    config::Ordering o = ordering({{0, 1}, {2}});
    o[0][0].weight = 50;
    o[0][1].weight = 50;
    std::vector<health::ServerState> states(3);
    states[0].weight = 20; // loaded
    states[2].weight = 90; // alone in its tier: the weight there means nothing, kept as given
    const auto out = zone::apply_health(o, states, udp, true);
    REQUIRE(servers(out) == S{{0, 1}, {2}});
    CHECK(out[0][0].weight == 20);
    CHECK(out[0][1].weight == 50); // no reading: configured
    CHECK(out[1][0].weight == 0);
    // All down and failing open: the weights still follow load.
    const auto open = zone::apply_health(o, {down, down, down}, udp, true);
    CHECK(open[0][0].weight == 50);
    std::vector<health::ServerState> all_down(3, down);
    all_down[0].weight = 20;
    CHECK(zone::apply_health(o, all_down, udp, true)[0][0].weight == 20);
}
