#include "config/server_config.hpp"

#include "config/yaml_reader.hpp"
#include "util/duration.hpp"
#include "util/log.hpp"
#include "util/size.hpp"

#include <grp.h>

#include <algorithm>
#include <filesystem>

namespace srvd::config {
namespace fs = std::filesystem;

std::optional<boost::asio::ip::udp::endpoint> parse_endpoint(const std::string& text) {
    std::string host, port;
    if (!text.empty() && text[0] == '[') {
        auto close = text.find(']');
        if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string::npos || text.find(':') != colon) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(host, ec);
    if (ec || port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    unsigned long number = std::stoul(port);
    if (number > 65535) return std::nullopt;
    return boost::asio::ip::udp::endpoint(address, static_cast<unsigned short>(number));
}

std::string resolve_path(const std::string& base_file, const std::string& path) {
    fs::path p(path);
    if (p.is_relative()) p = fs::path(base_file).parent_path() / p;
    return p.lexically_normal().string();
}

namespace {

void read_rrl(const YamlReader& r, const YAML::Node& node, ServerConfig& cfg) {
    r.expect_map(node, "rrl");
    r.check_keys(node, {"responses_per_second", "slip", "ipv4_prefix", "ipv6_prefix", "exempt"},
                 "rrl");
    r.require(node, "responses_per_second", "rrl");
    RrlConfig& c = cfg.rrl;
    c.responses_per_second = static_cast<std::uint32_t>(
        r.integer(node["responses_per_second"], 1, 1'000'000, "rrl.responses_per_second"));
    if (node["slip"])
        c.slip = static_cast<std::uint32_t>(r.integer(node["slip"], 0, 100, "rrl.slip"));
    if (node["ipv4_prefix"])
        c.ipv4_prefix =
            static_cast<std::uint8_t>(r.integer(node["ipv4_prefix"], 8, 32, "rrl.ipv4_prefix"));
    // The limiter keys on the first 64 bits of an IPv6 address.
    if (node["ipv6_prefix"])
        c.ipv6_prefix =
            static_cast<std::uint8_t>(r.integer(node["ipv6_prefix"], 16, 64, "rrl.ipv6_prefix"));
    if (auto e = node["exempt"]) {
        r.expect_seq(e, "rrl.exempt");
        for (const auto& item : e) {
            auto p = parse_prefix(r.string(item, "rrl.exempt"));
            if (!p)
                r.fail(item, "rrl.exempt: expected a prefix such as 192.0.2.0/24 or 2001:db8::/32");
            c.exempt.push_back(*p);
        }
    }
}

void read_geoip(const YamlReader& r, const YAML::Node& node, ServerConfig& cfg) {
    r.expect_map(node, "geoip");
    r.check_keys(node, {"database", "ecs", "ecs_private", "fields"}, "geoip");
    r.require(node, "database", "geoip");
    GeoIpConfig geo;
    geo.database = resolve_path(cfg.file, r.string(node["database"], "geoip.database"));
    if (node["ecs"]) geo.ecs = r.boolean(node["ecs"], "geoip.ecs");
    if (auto p = node["ecs_private"]) {
        std::string v = r.string(p, "geoip.ecs_private");
        if (v != "use" && v != "fallback") r.fail(p, "geoip.ecs_private: expected fallback or use");
        geo.ecs_private_use = v == "use";
    }
    if (auto f = node["fields"]) {
        r.expect_map(f, "geoip.fields");
        r.check_keys(f, {"continent", "country", "subdivision", "latitude", "longitude"},
                     "geoip.fields");
        auto field = [&](const char* key, std::string& out) {
            if (f[key]) out = r.string(f[key], std::string("geoip.fields.") + key);
        };
        field("continent", geo.fields.continent);
        field("country", geo.fields.country);
        field("subdivision", geo.fields.subdivision);
        field("latitude", geo.fields.latitude);
        field("longitude", geo.fields.longitude);
    }
    cfg.geoip = geo;
}

void read_limits(const YamlReader& r, const YAML::Node& node, ServerConfig& cfg) {
    r.expect_map(node, "limits");
    r.check_keys(node,
                 {"udp_payload", "tcp_clients", "tcp_clients_per_prefix", "tcp_idle_timeout",
                  "signatures_per_second", "signatures_per_tcp_client", "standby_memory"},
                 "limits");
    if (node["signatures_per_second"])
        cfg.limits.signatures_per_second = static_cast<std::uint32_t>(r.integer(
            node["signatures_per_second"], 0, 10'000'000, "limits.signatures_per_second"));
    if (node["signatures_per_tcp_client"])
        cfg.limits.signatures_per_tcp_client = static_cast<std::uint32_t>(r.integer(
            node["signatures_per_tcp_client"], 0, 10'000'000, "limits.signatures_per_tcp_client"));
    // Below 512 a resolver could not get even a classic DNS answer.
    if (node["udp_payload"])
        cfg.limits.udp_payload = static_cast<std::uint16_t>(
            r.integer(node["udp_payload"], 512, 65535, "limits.udp_payload"));
    if (node["tcp_clients"])
        cfg.limits.tcp_clients = static_cast<std::uint32_t>(
            r.integer(node["tcp_clients"], 1, 1'000'000, "limits.tcp_clients"));
    if (node["tcp_clients_per_prefix"])
        cfg.limits.tcp_clients_per_prefix = static_cast<std::uint32_t>(r.integer(
            node["tcp_clients_per_prefix"], 1, 1'000'000, "limits.tcp_clients_per_prefix"));
    if (auto t = node["tcp_idle_timeout"]) {
        auto d = parse_duration(r.string(t, "limits.tcp_idle_timeout"));
        if (!d || d->count() == 0)
            r.fail(t, "limits.tcp_idle_timeout: expected a duration such as 10s or 500ms");
        cfg.limits.tcp_idle_timeout = *d;
    }
    if (auto t = node["standby_memory"]) {
        auto size = parse_size(r.string(t, "limits.standby_memory"));
        if (!size) r.fail(t, "limits.standby_memory: expected a size such as 256M, 1G or 0");
        cfg.limits.standby_memory = *size;
    }
}

bool yaml_name(const fs::path& path) {
    return path.extension() == ".yaml" || path.extension() == ".yml";
}

// A directory of zones gives every *.yaml and *.yml file in it; a zone file
// name that is a directory (listed, or in such a directory) is an error, not
// an empty directory read in silence.
void add_zone_path(const YamlReader& r, const YAML::Node& node, ServerConfig& cfg) {
    const std::string path = resolve_path(cfg.file, r.string(node, "zones entry"));
    std::error_code ec;
    if (fs::is_directory(path, ec) && yaml_name(path))
        r.fail(node, "zones: " + path +
                         " is a directory, not a zone file (a directory of zones is read "
                         "whole: list it by a name without .yaml)");
    if (fs::is_directory(path, ec)) {
        std::vector<std::string> found;
        for (const auto& entry : fs::directory_iterator(path)) {
            if (!yaml_name(entry.path())) continue;
            if (!entry.is_regular_file())
                r.fail(node, "zones: " + entry.path().string() + " is not a zone file (" +
                                 (entry.is_directory() ? "a directory" : "not a regular file") +
                                 ")");
            found.push_back(entry.path().string());
        }
        std::sort(found.begin(), found.end());
        cfg.zone_files.insert(cfg.zone_files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, ec)) {
        cfg.zone_files.push_back(path);
    } else {
        r.fail(node, "zones: no such file or directory: " + path);
    }
}

} // namespace

ServerConfig load_server_config(const std::string& path) {
    ServerConfig cfg;
    cfg.file = fs::absolute(path).lexically_normal().string();
    YamlReader r(path);
    YAML::Node root = r.load();
    r.expect_map(root, "server configuration");
    r.check_keys(root,
                 {"listen", "threads", "zones", "geoip", "limits", "log", "metrics", "user",
                  "group", "rrl", "keys", "transfer", "catalog", "state_dir", "nsid", "control", "resolvers"},
                 "server configuration");
    if (auto listen = root["listen"]) {
        r.expect_seq(listen, "listen");
        for (const auto& item : listen) {
            auto ep = parse_endpoint(r.string(item, "listen entry"));
            if (!ep) r.fail(item, "listen: expected ADDRESS:PORT such as 127.0.0.1:53 or [::1]:53");
            cfg.listen.push_back(*ep);
        }
    } else {
        cfg.listen.push_back(*parse_endpoint("127.0.0.1:53"));
    }
    if (root["threads"])
        cfg.threads = static_cast<unsigned>(r.integer(root["threads"], 0, 1024, "threads"));
    r.require(root, "zones", "server configuration");
    auto zones = root["zones"];
    if (zones.IsScalar()) {
        add_zone_path(r, zones, cfg);
    } else {
        r.expect_seq(zones, "zones");
        for (const auto& item : zones) add_zone_path(r, item, cfg);
    }
    if (auto g = root["geoip"]) read_geoip(r, g, cfg);
    if (auto l = root["limits"]) read_limits(r, l, cfg);
    if (auto l = root["log"]) {
        r.expect_map(l, "log");
        r.check_keys(l, {"level"}, "log");
        if (l["level"]) {
            cfg.log_level = r.string(l["level"], "log.level");
            log::Level level;
            if (!log::parse_level(cfg.log_level, level))
                r.fail(l["level"], "log.level: expected debug, info, notice, warning or error");
        }
    }
    if (auto rrl = root["rrl"]) read_rrl(r, rrl, cfg);
    read_transfer_config(r, root, cfg.file, cfg.transfer);
    if (root["user"]) cfg.user = r.string(root["user"], "user");
    if (root["group"]) cfg.group = r.string(root["group"], "group");
    if (!cfg.group.empty() && cfg.user.empty()) r.fail(root["group"], "group: needs user as well");
    if (auto nsid = root["nsid"]) {
        cfg.nsid = r.string(nsid, "nsid");
        // Sent in every answer that asks for it: keep it short (Knot and NSD
        // use the host name); one TXT string holds 255 bytes at most.
        if (cfg.nsid.empty() || cfg.nsid.size() > 64)
            r.fail(nsid, "nsid: expected 1 to 64 characters, such as this host's name");
    }
    if (auto c = root["control"]) {
        r.expect_map(c, "control");
        r.check_keys(c, {"socket", "group"}, "control");
        if (c["group"]) {
            cfg.control_group = r.string(c["group"], "control.group");
            if (cfg.control_group.empty() || !::getgrnam(cfg.control_group.c_str()))
                r.fail(c["group"], "control.group: no such group '" + cfg.control_group + "'");
        }
        if (c["socket"]) {
            cfg.control_socket = resolve_path(cfg.file, r.string(c["socket"], "control.socket"));
            // sockaddr_un holds 108 bytes with the terminating NUL.
            if (cfg.control_socket.empty() || cfg.control_socket.size() > 107)
                r.fail(c["socket"], "control.socket: expected a path of at most 107 bytes");
        }
    }
    if (auto res = root["resolvers"]) read_resolvers(r, res, cfg.resolvers);
    if (auto m = root["metrics"]) {
        r.expect_map(m, "metrics");
        r.check_keys(m, {"listen"}, "metrics");
        if (m["listen"]) {
            auto ep = parse_endpoint(r.string(m["listen"], "metrics.listen"));
            if (!ep) r.fail(m["listen"], "metrics.listen: expected ADDRESS:PORT");
            cfg.metrics_listen = *ep;
        }
    }
    return cfg;
}

} // namespace srvd::config
