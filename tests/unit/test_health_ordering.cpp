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
} // namespace

TEST_CASE("apply_health: down servers leave, tiers close up") {
    const config::Ordering o = ordering({{0}, {1, 2}, {3}});
    CHECK(servers(zone::apply_health(o, {up, up, up, up}, true)) == S{{0}, {1, 2}, {3}});
    CHECK(servers(zone::apply_health(o, {down, up, up, up}, true)) == S{{1, 2}, {3}});
    CHECK(servers(zone::apply_health(o, {up, down, down, up}, true)) == S{{0}, {3}});
    CHECK(servers(zone::apply_health(o, {up, down, up, up}, true)) == S{{0}, {2}, {3}});
}

TEST_CASE("apply_health: draining kept only when nothing is up, all down fails open or empty") {
    const config::Ordering o = ordering({{0}, {1}, {2}});
    CHECK(servers(zone::apply_health(o, {up, draining, up}, true)) == S{{0}, {2}});
    CHECK(servers(zone::apply_health(o, {down, draining, down}, true)) == S{{1}});
    CHECK(servers(zone::apply_health(o, {down, down, down}, true)) == S{{0}, {1}, {2}});
    CHECK(zone::apply_health(o, {down, down, down}, false).empty());
    CHECK(servers(zone::apply_health(o, {}, false)) == S{{0}, {1}, {2}}); // unknown: up
}
