#include "config/server_config.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace srvd;

namespace {

struct Case {
    const char* text;
    const char* expected; // after the file's path
};

// Each case's text (after `head`) as srvd.yaml in `dir` fails to load with
// its expected file:line:column message.
void check_errors(test::TempDir& dir, const std::vector<Case>& cases, const std::string& head) {
    for (const auto& c : cases) {
        const std::string text = head + c.text;
        CAPTURE(text);
        const auto file = dir.write("srvd.yaml", text);
        try {
            config::load_server_config(file);
            FAIL("no error");
        } catch (const config::LoadError& e) {
            const std::string what = e.what();
            CAPTURE(what);
            CHECK(what.find(file + c.expected) == 0);
        }
    }
}

} // namespace

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
    check_errors(
        dir,
        {
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
        },
        "");
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

TEST_CASE("resolvers: each type with its own keys, paths relative to the file, defaults") {
    test::TempDir dir;
    dir.write("z.yaml", "");
    dir.write("pdns.key", "s3cret\n");
    const auto file = dir.write("srvd.yaml", R"(zones: [z.yaml]
resolvers:
  - { name: a, type: unbound, control: "127.0.0.1:8953", server_cert: ub/s.pem,
      control_cert: ub/c.pem, control_key: ub/c.key }
  - { name: b, type: unbound, control: /run/unbound.ctl, timeout: 500ms, retries: 0 }
  - { name: c, type: pdns-recursor, webserver: "[::1]:8082", api_key_file: pdns.key }
  - { name: d, type: knot-resolver, control: kres/control/1 }
  - { name: e, type: command, command: [/usr/local/bin/flush, --all] }
)");
    const config::ServerConfig c = config::load_server_config(file);
    REQUIRE(c.resolvers.size() == 5);
    CHECK(c.resolvers[0].endpoint.port() == 8953);
    CHECK(c.resolvers[0].server_cert == dir.path() + "/ub/s.pem");
    CHECK(c.resolvers[0].timeout.count() == 2000);
    CHECK(c.resolvers[0].retries == 3);
    CHECK(c.resolvers[1].socket_path == "/run/unbound.ctl");
    CHECK(c.resolvers[1].server_cert.empty()); // plain: control-use-cert: no
    CHECK(c.resolvers[1].timeout.count() == 500);
    CHECK(c.resolvers[1].retries == 0);
    CHECK(c.resolvers[2].type == config::ResolverType::pdns_recursor);
    CHECK(c.resolvers[2].endpoint.address().to_string() == "::1");
    CHECK(c.resolvers[2].api_key == "s3cret");
    CHECK(c.resolvers[3].socket_path == dir.path() + "/kres/control/1");
    CHECK(c.resolvers[4].command == std::vector<std::string>{"/usr/local/bin/flush", "--all"});
}

TEST_CASE("resolvers: errors name file, line and column") {
    test::TempDir dir;
    dir.write("z.yaml", "");
    check_errors(
        dir,
        {
            {"resolvers: [{ name: a, type: bind, control: x }]\n",
             ":2:30: resolvers entry.type: expected unbound, pdns-recursor, knot-resolver or "
             "command"},
            {"resolvers: [{ name: a, type: unbound, control: \"localhost:8953\" }]\n",
             ":2:48: resolvers entry.control: expected ADDRESS:PORT such as 127.0.0.1:8953"},
            {"resolvers: [{ name: a, type: unbound, control: \"127.0.0.1:8953\", server_cert: s "
             "}]\n",
             ":2:13: resolvers entry: TLS (control-use-cert: yes) needs server_cert, control_cert "
             "and "
             "control_key, all three"},
            {"resolvers: [{ name: a, type: unbound, control: /x, api_key: k }]\n",
             ":2:52: unknown key 'api_key' in resolvers entry (unbound)"},
            {"resolvers: [{ name: a, type: pdns-recursor, webserver: \"127.0.0.1:8082\" }]\n",
             ":2:13: resolvers entry: expected api_key or api_key_file"},
            {"resolvers: [{ name: a, type: command, command: [flush] }]\n",
             ":2:48: resolvers entry.command: expected an absolute program path"},
            {"resolvers: [{ name: a, type: command, command: /bin/true, timeout: 2m }]\n",
             ":2:68: resolvers entry.timeout: expected a duration from 1ms to 60s"},
            {"resolvers:\n  - { name: a, type: knot-resolver, control: /x }\n"
             "  - { name: a, type: knot-resolver, control: /y }\n",
             ":4:13: resolvers: duplicate name 'a'"},
        },
        "zones: [z.yaml]\n");
}
