#include "geo/region_choice.hpp"

#include <doctest/doctest.h>

using namespace srvd;
using namespace srvd::geo;

namespace {

config::ZonePolicy policy() {
    config::ZonePolicy p;
    auto region = [&](std::string name, std::vector<std::string> match,
                      std::optional<config::GeoPoint> at) {
        config::Region r;
        r.name = std::move(name);
        r.match = std::move(match);
        r.location = at;
        p.regions.push_back(r);
    };
    region("east", {"US-NY", "US-NJ"}, config::GeoPoint{40.71, -74.01});
    region("west", {"US-CA"}, config::GeoPoint{37.77, -122.42});
    region("europe", {"EU"}, std::nullopt);
    region("central", {"US"}, config::GeoPoint{32.78, -96.80});
    region("namibia", {"NA"}, std::nullopt); // NA means North America, never Namibia
    p.default_region = 3;
    return p;
}

Location at(std::string continent, std::string country, std::string sub,
            std::optional<config::GeoPoint> p = {}) {
    return {continent, country, sub, p};
}

} // namespace

TEST_CASE("the first region whose list fits wins: subdivision, then country, continent") {
    const config::ZonePolicy p = policy();
    CHECK(choose_region(p, at("NA", "US", "NY")) == 0);
    CHECK(choose_region(p, at("NA", "US", "CA")) == 1);
    CHECK(choose_region(p, at("NA", "US", "TX")) == 3); // US matches central
    CHECK(choose_region(p, at("EU", "DE", "BE")) == 2); // continent
    CHECK(choose_region(p, at("NA", "CA", "ON")) == 4); // continent NA, listed after US
    CHECK(choose_region(p, at("AF", "NA", "")) != 4);   // Namibia is not "NA"
    CHECK(choose_region(p, at("NA", "MX", "CA")) == 4); // MX-CA is not US-CA
}

TEST_CASE("no list fits: nearest region by great-circle distance, else the default") {
    config::ZonePolicy p = policy();
    p.regions[4].match.clear(); // no continent catch-all
    std::string why;
    // Somewhere in Asia with coordinates near nothing listed: nearest of the
    // regions that have a location. Tokyo is nearer San Francisco than New York.
    CHECK(choose_region(p, at("AS", "JP", "13", config::GeoPoint{35.68, 139.69}), &why) == 1);
    CHECK(why.find("nearest region west") != std::string::npos);
    // Toronto without list matches is nearest New York.
    CHECK(choose_region(p, at("", "CA", "ON", config::GeoPoint{43.65, -79.38})) == 0);
    // Nothing known: the default region.
    CHECK(choose_region(p, at("", "", ""), &why) == 3);
    CHECK(why.find("default region central") != std::string::npos);
    CHECK(choose_region(p, at("AS", "JP", "")) == 3);
}

TEST_CASE("distance_km") {
    CHECK(distance_km({40.71, -74.01}, {37.77, -122.42}) == doctest::Approx(4130).epsilon(0.01));
    CHECK(distance_km({0, 0}, {0, 0}) == 0);
}
