// The compiled GeoIP tables, against databases made by zones/geo/make-demo-db.pl.
#include "config/zone_policy.hpp"
#include "geo/geo_index.hpp"
#include "geo/mmdb_file.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

using namespace srvd;

namespace {

config::ZonePolicy regions_policy() {
    test::TempDir dir;
    return config::load_zone_policy(dir.write("zone.yaml", R"(
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
regions:
  east:    { match: [US-NY, US-NJ, US-MA, US-PA], location: [40.71, -74.01] }
  west:    { match: [US-CA, US-WA, US-OR],        location: [37.77, -122.42] }
  central: { match: [US],                         location: [32.78, -96.80] }
default_region: central
)"));
}

std::uint32_t v4(int a, int b, int c, int d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
}
enum { east, west, central };

} // namespace

TEST_CASE("GeoIP2 City layout: every network lands in its region") {
    const config::ZonePolicy p = regions_policy();
    config::GeoIpConfig config;
    config.database = SRVD_TEST_GEO_DIR "/test-city.mmdb";
    auto index = geo::compile_geo(config, {&p});
    CHECK(index->networks_v4 == 13);
    CHECK(index->networks_v6 == 3);
    const geo::ZoneGeo& t = *index->zones.at(0);
    CHECK(t.v4.lookup(v4(127, 0, 0, 1)).value == east);
    CHECK(t.v4.lookup(v4(127, 0, 1, 1)).value == west);
    CHECK(t.v4.lookup(v4(127, 0, 2, 1)).value == central);
    CHECK(t.v4.lookup(v4(127, 0, 3, 1)).value == east);    // Toronto: nearest
    CHECK(t.v4.lookup(v4(127, 0, 4, 1)).value == central); // US without subdivision
    CHECK(t.v4.lookup(v4(127, 0, 8, 1)).value == central); // a record without location: default
    CHECK(t.v4.lookup(v4(8, 8, 8, 8)).value == central);   // not in the database: default
    CHECK(t.v4.lookup(v4(192, 0, 2, 1)).value == west);

    // A /24 split between two regions: scope 25.
    CHECK(t.v4.lookup(v4(127, 0, 5, 0)).value == east);
    CHECK(t.v4.lookup(v4(127, 0, 5, 0)).scope == 25);
    CHECK(t.v4.lookup(v4(127, 0, 5, 128)).value == west);
    CHECK(t.v4.lookup(v4(127, 0, 5, 128)).scope == 25);
    // Two adjacent east /24s merge: scope 23.
    CHECK(t.v4.lookup(v4(127, 0, 6, 0)).value == east);
    CHECK(t.v4.lookup(v4(127, 0, 6, 0)).scope == 23);
    CHECK(t.v4.lookup(v4(127, 0, 7, 9)).scope == 23);

    const geo::u128 net2 = geo::u128{0x20010db800020000ULL} << 64;
    CHECK(t.v6.lookup(net2 | 1).value == west);
    CHECK(t.v6.lookup(net2 | 1).scope == 48);
    CHECK(t.v6.lookup(geo::u128{0x2a00} << 112).value == central);
}

TEST_CASE("a flat layout (DB-IP City Lite) works by changing fields alone") {
    const config::ZonePolicy p = regions_policy();
    config::GeoIpConfig config;
    config.database = SRVD_TEST_GEO_DIR "/test-flat.mmdb";
    config.fields.continent = "";
    config.fields.country = "country_code";
    config.fields.subdivision = "state1";
    config.fields.latitude = "latitude";
    config.fields.longitude = "longitude";
    auto index = geo::compile_geo(config, {&p});
    const geo::ZoneGeo& t = *index->zones.at(0);
    CHECK(t.v4.lookup(v4(127, 0, 0, 1)).value == east);
    CHECK(t.v4.lookup(v4(127, 0, 1, 1)).value == west);
    CHECK(t.v4.lookup(v4(127, 0, 2, 1)).value == central);
    CHECK(t.v4.lookup(v4(127, 0, 3, 1)).value == east);
    CHECK(t.v4.lookup(v4(127, 0, 5, 200)).value == west);

    // With the City defaults, the flat file yields no fields: all default.
    config::GeoIpConfig wrong;
    wrong.database = config.database;
    auto defaults = geo::compile_geo(wrong, {&p});
    CHECK(defaults->zones.at(0)->v4.lookup(v4(127, 0, 1, 1)).value == central);
}

TEST_CASE("MmdbFile::lookup reports the fields it read") {
    geo::MmdbFile db(SRVD_TEST_GEO_DIR "/test-city.mmdb");
    std::vector<std::string> lines;
    auto at = db.lookup("127.0.1.9", config::GeoIpFields{}, &lines);
    REQUIRE(at);
    CHECK(at->country == "US");
    CHECK(at->subdivision == "CA");
    REQUIRE(at->point);
    CHECK(at->point->latitude == doctest::Approx(37.77));
    CHECK(lines.front() == "continent (continent/code) = NA");
    CHECK(lines.back() == "network /24 in the database");
    CHECK_FALSE(db.lookup("8.8.8.8", config::GeoIpFields{}, nullptr));
}

TEST_CASE("a missing or broken database is a load error naming the file") {
    test::TempDir dir;
    config::GeoIpConfig config;
    config.database = dir.write("broken.mmdb", "not a database");
    const config::ZonePolicy p = regions_policy();
    CHECK_THROWS_WITH_AS(geo::compile_geo(config, {&p}), doctest::Contains(config.database.c_str()),
                         config::LoadError);
    config.database = dir.path() + "/missing.mmdb";
    CHECK_THROWS_AS(geo::compile_geo(config, {&p}), config::LoadError);
}

TEST_CASE("a database truncated or rewritten in place while open is read whole, never SIGBUS") {
    test::TempDir dir;
    const std::string path = dir.path() + "/city.mmdb";
    std::filesystem::copy_file(SRVD_TEST_GEO_DIR "/test-city.mmdb", path);
    const auto networks = [](const geo::MmdbFile& db) {
        std::size_t n = 0;
        db.for_each_v4([&](std::uint32_t, int, std::uint64_t) { ++n; });
        return n;
    };
    const std::size_t expected = networks(geo::MmdbFile(path));
    REQUIRE(expected > 0);
    geo::MmdbFile db(path);
    // `cp new.mmdb city.mmdb` truncates first: a mapped file would fault.
    std::filesystem::resize_file(path, 0);
    CHECK(networks(db) == expected);
    CHECK(db.lookup("127.0.1.9", config::GeoIpFields{}, nullptr));
    // A cut-short file is refused with the reason, naming it.
    std::filesystem::copy_file(SRVD_TEST_GEO_DIR "/test-city.mmdb", path,
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
    CHECK_THROWS_WITH_AS(geo::MmdbFile{path}, doctest::Contains(path.c_str()), config::LoadError);
}

TEST_CASE("zones with the same regions share one table, other regions get their own") {
    const config::ZonePolicy a = regions_policy();
    config::ZonePolicy b = regions_policy(), c = regions_policy();
    b.zone = "b.example.";
    b.regions[0].name = "renamed"; // names do not matter, matches and locations do
    c.zone = "c.example.";
    c.regions[0].match = {"US-CA"};
    config::GeoIpConfig config;
    config.database = SRVD_TEST_GEO_DIR "/test-city.mmdb";
    auto index = geo::compile_geo(config, {&a, &b, &c});
    REQUIRE(index->zones.size() == 3);
    CHECK(index->zones[0] == index->zones[1]);
    CHECK(index->zones[0] != index->zones[2]);
    CHECK(index->tables == 2);
    CHECK(index->zones[2]->v4.lookup(v4(127, 0, 1, 1)).value == 0); // CA is now region 0
    CHECK(index->memory() == index->zones[0]->v4.memory() + index->zones[0]->v6.memory() +
                                 index->zones[2]->v4.memory() + index->zones[2]->v6.memory());
}

TEST_CASE("a reload keeps the tables while the database file and the regions are the same") {
    test::TempDir dir;
    const std::string db = dir.path() + "/city.mmdb";
    const std::string source = SRVD_TEST_GEO_DIR "/test-city.mmdb";
    REQUIRE(std::system(("cp " + source + " " + db).c_str()) == 0);
    const config::ZonePolicy a = regions_policy();
    config::ZonePolicy c = regions_policy();
    c.zone = "c.example.";
    c.regions[0].match = {"US-CA"};
    config::GeoIpConfig config;
    config.database = db;
    auto first = geo::compile_geo(config, {&a});
    auto again = geo::compile_geo(config, {&a}, first.get());
    CHECK(again->zones.at(0) == first->zones.at(0));
    CHECK(again->networks_v4 == 13);
    // New regions: the database is read again, tables built anew.
    auto other = geo::compile_geo(config, {&a, &c}, again.get());
    CHECK(other->zones.at(0) != first->zones.at(0));
    CHECK(other->tables == 2);
    // Other fields: anew.
    config::GeoIpConfig flat = config;
    flat.fields.country = "country_code";
    CHECK(geo::compile_geo(flat, {&a}, first.get())->zones.at(0) != first->zones.at(0));
    // The database replaced by another file (as geoipupdate renames it over):
    // anew, and it answers from the new file.
    REQUIRE(std::system(("cp " + source + " " + db + ".new && mv " + db + ".new " + db).c_str()) ==
            0);
    auto replaced = geo::compile_geo(config, {&a}, first.get());
    CHECK(replaced->zones.at(0) != first->zones.at(0));
    CHECK(replaced->zones.at(0)->v4.lookup(v4(127, 0, 1, 1)).value == west);
}
