#include "config/resolver_config.hpp"

#include "config/server_config.hpp"
#include "config/yaml_reader.hpp"
#include "util/duration.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace srvd::config {

const char* resolver_type_name(ResolverType type) {
    switch (type) {
    case ResolverType::unbound:
        return "unbound";
    case ResolverType::pdns_recursor:
        return "pdns-recursor";
    case ResolverType::knot_resolver:
        return "knot-resolver";
    case ResolverType::command:
        return "command";
    }
    return "?";
}

namespace {

ResolverType read_type(const YamlReader& r, const YAML::Node& node, const std::string& what) {
    const std::string text = r.string(node, what + ".type");
    for (auto t : {ResolverType::unbound, ResolverType::pdns_recursor, ResolverType::knot_resolver,
                   ResolverType::command})
        if (text == resolver_type_name(t)) return t;
    r.fail(node, what + ".type: expected unbound, pdns-recursor, knot-resolver or command");
}

// A path, absolute after resolve_path, that sockaddr_un can hold.
std::string socket_path(const YamlReader& r, const YAML::Node& node, const std::string& what) {
    std::string path = resolve_path(r.file(), r.string(node, what));
    if (path.size() > 107) r.fail(node, what + ": expected a socket path of at most 107 bytes");
    return path;
}

// The first line of a file, without its line end (an API key kept apart
// from the configuration, readable by srvd's user only).
std::string first_line(const YamlReader& r, const YAML::Node& node, const std::string& what) {
    const std::string path = resolve_path(r.file(), r.string(node, what));
    std::ifstream in(path);
    if (!in) r.fail(node, what + ": " + path + ": " + std::strerror(errno));
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) r.fail(node, what + ": " + path + " is empty");
    return line;
}

void read_unbound(const YamlReader& r, const YAML::Node& item, const std::string& what,
                  ResolverTarget& t) {
    r.require(item, "control", what);
    const std::string control = r.string(item["control"], what + ".control");
    if (control.starts_with("/")) {
        t.socket_path = socket_path(r, item["control"], what + ".control");
    } else if (auto ep = parse_endpoint(control)) {
        t.endpoint = {ep->address(), ep->port()};
    } else {
        r.fail(item["control"], what + ".control: expected ADDRESS:PORT such as 127.0.0.1:8953 "
                                       "(control-interface, control-port) or a socket path");
    }
    const int files = !!item["server_cert"] + !!item["control_cert"] + !!item["control_key"];
    if (files != 0 && files != 3)
        r.fail(item, what + ": TLS (control-use-cert: yes) needs server_cert, control_cert and "
                            "control_key, all three");
    if (files == 3) {
        t.server_cert = resolve_path(r.file(), r.string(item["server_cert"], what));
        t.control_cert = resolve_path(r.file(), r.string(item["control_cert"], what));
        t.control_key = resolve_path(r.file(), r.string(item["control_key"], what));
    }
}

void read_one(const YamlReader& r, const YAML::Node& item, const std::string& what,
              ResolverTarget& t) {
    r.expect_map(item, what);
    r.require(item, "name", what);
    r.require(item, "type", what);
    t.name = r.string(item["name"], what + ".name");
    t.type = read_type(r, item["type"], what);
    switch (t.type) {
    case ResolverType::unbound:
        r.check_keys(item,
                     {"name", "type", "control", "server_cert", "control_cert", "control_key",
                      "timeout", "retries"},
                     what + " (unbound)");
        read_unbound(r, item, what, t);
        break;
    case ResolverType::pdns_recursor: {
        r.check_keys(item,
                     {"name", "type", "webserver", "api_key", "api_key_file", "timeout", "retries"},
                     what + " (pdns-recursor)");
        r.require(item, "webserver", what);
        auto ep = parse_endpoint(r.string(item["webserver"], what + ".webserver"));
        if (!ep)
            r.fail(item["webserver"], what + ".webserver: expected ADDRESS:PORT such as "
                                             "127.0.0.1:8082 (webserver-address, webserver-port)");
        t.endpoint = {ep->address(), ep->port()};
        if (!item["api_key"] == !item["api_key_file"])
            r.fail(item, what + ": expected api_key or api_key_file (the Recursor's api-key), "
                                "one of them");
        t.api_key = item["api_key"] ? r.string(item["api_key"], what + ".api_key")
                                    : first_line(r, item["api_key_file"], what + ".api_key_file");
        break;
    }
    case ResolverType::knot_resolver:
        r.check_keys(item, {"name", "type", "control", "timeout", "retries"},
                     what + " (knot-resolver)");
        r.require(item, "control", what);
        t.socket_path = socket_path(r, item["control"], what + ".control");
        break;
    case ResolverType::command: {
        r.check_keys(item, {"name", "type", "command", "timeout", "retries"}, what + " (command)");
        r.require(item, "command", what);
        const YAML::Node c = item["command"];
        if (c.IsScalar()) {
            t.command.push_back(r.string(c, what + ".command"));
        } else {
            r.expect_seq(c, what + ".command");
            for (const auto& word : c) t.command.push_back(r.string(word, what + ".command"));
        }
        if (t.command.empty() || !t.command[0].starts_with("/"))
            r.fail(c, what + ".command: expected an absolute program path (and its arguments)");
        break;
    }
    }
    if (auto n = item["timeout"]) {
        auto d = parse_duration(r.string(n, what + ".timeout"));
        if (!d || d->count() == 0 || d->count() > 60'000)
            r.fail(n, what + ".timeout: expected a duration from 1ms to 60s, such as 2s");
        t.timeout = *d;
    }
    if (auto n = item["retries"])
        t.retries = static_cast<std::uint32_t>(r.integer(n, 0, 100, what + ".retries"));
}

} // namespace

void read_resolvers(const YamlReader& r, const YAML::Node& node, std::vector<ResolverTarget>& out) {
    r.expect_seq(node, "resolvers");
    for (const auto& item : node) {
        ResolverTarget t;
        read_one(r, item, "resolvers entry", t);
        for (const auto& other : out)
            if (other.name == t.name)
                r.fail(item["name"], "resolvers: duplicate name '" + t.name + "'");
        out.push_back(std::move(t));
    }
}

} // namespace srvd::config
