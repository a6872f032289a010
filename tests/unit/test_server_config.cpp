#include "config/server_config.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace srvd;

TEST_CASE("parse_endpoint") {
    auto v4 = config::parse_endpoint("127.0.0.1:5300");
    REQUIRE(v4);
    CHECK(v4->address().to_string() == "127.0.0.1");
    CHECK(v4->port() == 5300);
    auto v6 = config::parse_endpoint("[::1]:53");
    REQUIRE(v6);
    CHECK(v6->address().is_v6());
    CHECK(v6->port() == 53);
    CHECK_FALSE(config::parse_endpoint("::1:53"));
    CHECK_FALSE(config::parse_endpoint("127.0.0.1"));
    CHECK_FALSE(config::parse_endpoint("127.0.0.1:99999"));
    CHECK_FALSE(config::parse_endpoint("localhost:53"));
    CHECK_FALSE(config::parse_endpoint("[::1]53"));
}

TEST_CASE("server configuration: values, defaults and relative paths") {
    test::TempDir dir;
    dir.write("z1.yaml", "");
    std::filesystem::create_directory(dir.path() + "/more");
    dir.write("more/b.yaml", "");
    dir.write("more/a.yml", "");
    dir.write("more/notes.txt", "");
    const auto file = dir.write("srvd.yaml", R"(
listen: ["127.0.0.1:5300", "[::1]:5300"]
threads: 2
zones: [z1.yaml, more]
limits: { udp_payload: 1400, tcp_clients: 10, tcp_idle_timeout: 500ms, standby_memory: 64M }
geoip: { database: geo/x.mmdb, ecs_private: use }
nsid: dns-fra-2
)");
    config::ServerConfig c = config::load_server_config(file);
    CHECK(c.listen.size() == 2);
    CHECK(c.threads == 2);
    REQUIRE(c.zone_files.size() == 3);
    CHECK(c.zone_files[0] == dir.path() + "/z1.yaml");
    CHECK(c.zone_files[1] == dir.path() + "/more/a.yml");
    CHECK(c.zone_files[2] == dir.path() + "/more/b.yaml");
    CHECK(c.limits.udp_payload == 1400);
    CHECK(c.limits.tcp_clients == 10);
    CHECK(c.limits.tcp_idle_timeout.count() == 500);
    CHECK(c.limits.standby_memory == 64u << 20);
    REQUIRE(c.geoip);
    CHECK(c.geoip->database == dir.path() + "/geo/x.mmdb");
    CHECK(c.geoip->ecs);
    CHECK(c.geoip->ecs_private_use);
    CHECK(c.geoip->fields.country == "country/iso_code");
    CHECK(c.nsid == "dns-fra-2");
}

TEST_CASE("server configuration errors name file, line and column") {
    test::TempDir dir;
    dir.write("z.yaml", "");
    struct Case {
        const char* text;
        const char* expected;
    } cases[] = {
        {"zones: [z.yaml]\nlisten_on: []\n",
         ":2:1: unknown key 'listen_on' in server configuration"},
        {"zones: [z.yaml]\nlisten: [\"1.2.3.4\"]\n", ":2:10: listen: expected ADDRESS:PORT"},
        {"zones: [z.yaml]\nlimits:\n  udp_payload: 100\n",
         ":3:16: limits.udp_payload: 100 is outside 512..65535"},
        {"zones: [z.yaml]\nlimits: { tcp_idle_timeout: soon }\n",
         ":2:29: limits.tcp_idle_timeout: expected a duration"},
        {"zones: [missing.yaml]\n", ":1:9: zones: no such file or directory"},
        {"zones: [z.yaml]\nlimits: { standby_memory: 1T }\n",
         ":2:27: limits.standby_memory: expected a size such as 256M, 1G or 0"},
        {"listen: []\n", ":1:1: server configuration: missing 'zones'"},
        {"zones: [z.yaml\n",
         ":1:8: this '[' is never closed: a flow list needs its ']' (and commas between its "
         "items)"},
        {"zones: [z.yaml]\ngeoip: { database: x.mmdb\nthreads: 1\n",
         ":2:8: this '{' is never closed: a flow map needs its '}'"},
        {"zones: [z.yaml]\nthreads: 1\nthreads: 2\n",
         ":3:1: duplicate key 'threads' (first at line 2); remove one"},
        {"zones: [z.yaml]\nlimits:\n  tcp_clients: 10\n  tcp_clients: 20\n",
         ":4:3: duplicate key 'tcp_clients' (first at line 3); remove one"},
        {"zones: [z.yaml]\nlog: { level: loud }\n",
         ":2:15: log.level: expected debug, info, notice, warning or error"},
        {"zones: [z.yaml]\nnsid: \"\"\n", ":2:7: nsid: expected 1 to 64 characters"},
        {"", ": the file is empty"},
        {"zones: [z.yaml]\nlimits:\n\tudp_payload: 512\n",
         ":3:1: tab characters are not allowed in YAML indentation; use spaces"},
        {"zones: [z.yaml]\nnsid: [a]\n", ":2:7: nsid: expected a string"},
        // yaml-cpp's own words ("illegal flow end", "end of map not found")
        // named the place it gave up; these name the construct and the fix.
        {"zones: [z.yaml]\nlisten: [\"127.0.0.1:53\" }\n",
         ":2:9: this '[' is closed by '}' at line 2, column 25: a flow list ends with ']'"},
        {"zones: [z.yaml]\nlimits:\n  tcp_clients: 10\n   udp_payload: 512\n",
         ":4:4: this line is indented 3 space(s), line 3 before it 2: entries of one map line "
         "up (YAML nests by indentation)"},
        {"zones: [z.yaml]\nlimits:\n  tcp_clients: 10\n\n # spare\n udp_payload: 512\n",
         ":6:2: this line is indented 1 space(s), line 3 before it 2"},
    };
    for (const auto& c : cases) {
        const std::string text = c.text;
        CAPTURE(text);
        const auto file = dir.write("srvd.yaml", c.text);
        try {
            config::load_server_config(file);
            FAIL("no error");
        } catch (const config::LoadError& e) {
            CHECK(std::string(e.what()).find(file + c.expected) == 0);
        }
    }
}

TEST_CASE("a configuration path that is not a readable file: the system's reason") {
    test::TempDir dir;
    const auto error = [](const std::string& path) {
        try {
            config::load_server_config(path);
            return std::string("no error");
        } catch (const config::LoadError& e) {
            return std::string(e.what()).substr(path.size());
        }
    };
    CHECK(error(dir.path()) == ": is a directory, not a file");
    CHECK(error(dir.path() + "/missing.yaml") == ": cannot open: No such file or directory");
}
