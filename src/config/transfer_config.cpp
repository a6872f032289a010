#include "config/transfer_config.hpp"

#include "config/server_config.hpp"
#include "config/yaml_reader.hpp"
#include "util/duration.hpp"

#include "dns/rr.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <type_traits>

namespace srvd::config {
namespace {

std::string fqdn_lower(std::string name) {
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name.empty() || name.back() != '.') name.push_back('.');
    return name;
}

// The algorithms ldns signs and verifies, by the names operators write
// (tsig-keygen, keymgr) and the names ldns wants.
const char* ldns_algorithm(const std::string& name) {
    if (name == "hmac-sha256") return "hmac-sha256.";
    if (name == "hmac-sha512") return "hmac-sha512.";
    if (name == "hmac-sha1") return "hmac-sha1.";
    if (name == "hmac-md5") return "hmac-md5.sig-alg.reg.int.";
    return nullptr;
}

// The secret of a key file: tsig-keygen's (`key "name" { algorithm ...;
// secret "BASE64"; };`) or a file holding the base64 alone.
std::optional<std::string> read_secret_file(const std::string& path, std::string& why) {
    std::ifstream in(path);
    if (!in) {
        why = std::strerror(errno);
        return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    if (const auto at = content.find("secret"); at != std::string::npos) {
        const auto open = content.find('"', at), close = content.find('"', open + 1);
        if (open == std::string::npos || close == std::string::npos) {
            why = "a `secret` without its quoted value";
            return std::nullopt;
        }
        return content.substr(open + 1, close - open - 1);
    }
    content.erase(std::remove_if(content.begin(), content.end(),
                                 [](unsigned char c) { return std::isspace(c); }),
                  content.end());
    return content;
}

void read_keys(const YamlReader& r, const YAML::Node& node, TransferConfig& out) {
    r.expect_map(node, "keys");
    for (const auto& item : node) {
        TsigKey key;
        key.name = fqdn_lower(r.string(item.first, "key name"));
        const std::string what = "keys." + r.string(item.first, "key name");
        if (out.find_key(key.name)) r.fail(item.first, what + ": duplicate key");
        r.expect_map(item.second, what);
        r.check_keys(item.second, {"algorithm", "secret", "secret_file"}, what);
        r.require(item.second, "algorithm", what);
        if (!item.second["secret"] == !item.second["secret_file"])
            r.fail(item.second, what + ": expected `secret` or `secret_file` (a key file "
                                       "readable by srvd's user only), one of them");
        const std::string algorithm = r.string(item.second["algorithm"], what + ".algorithm");
        const char* ldns_name = ldns_algorithm(algorithm);
        if (!ldns_name)
            r.fail(item.second["algorithm"],
                   what + ".algorithm: expected hmac-sha256, hmac-sha512, hmac-sha1 or hmac-md5");
        key.algorithm = ldns_name;
        const YAML::Node& given =
            item.second["secret"] ? item.second["secret"] : item.second["secret_file"];
        if (item.second["secret"]) {
            key.secret = r.string(given, what + ".secret");
        } else {
            key.secret_file = resolve_path(r.file(), r.string(given, what + ".secret_file"));
            std::string why;
            const auto secret = read_secret_file(key.secret_file, why);
            if (!secret) r.fail(given, what + ".secret_file: " + key.secret_file + ": " + why);
            key.secret = *secret;
        }
        ldns_rdf* decoded = nullptr;
        const bool valid =
            !key.secret.empty() && ldns_str2rdf_b64(&decoded, key.secret.c_str()) == LDNS_STATUS_OK;
        const dns::RdfPtr owned(decoded);
        if (!valid)
            r.fail(given, what + (key.secret_file.empty() ? ".secret" : ".secret_file") +
                              ": expected base64 (as tsig-keygen prints)");
        out.keys.push_back(std::move(key));
    }
}

std::string key_ref(const YamlReader& r, const YAML::Node& node, const TransferConfig& out,
                    const std::string& what) {
    const std::string name = fqdn_lower(r.string(node, what));
    if (!out.find_key(name)) r.fail(node, what + ": unknown key '" + node.Scalar() + "'");
    return name;
}

void read_transfer(const YamlReader& r, const YAML::Node& node, TransferConfig& out) {
    r.expect_map(node, "transfer");
    r.check_keys(node, {"allow", "notify", "notify_retries", "notify_timeout", "ixfr_history"},
                 "transfer");
    // Both lists hold { address, key } entries; `parse` reads the address
    // into the entry or returns false.
    auto entries = [&](const char* list, const char* expected, auto parse, auto& into) {
        const YAML::Node items = node[list];
        if (!items) return;
        const std::string what = std::string("transfer.") + list;
        r.expect_seq(items, what);
        for (const auto& item : items) {
            r.expect_map(item, what + " entry");
            r.check_keys(item, {"address", "key"}, what + " entry");
            r.require(item, "address", what + " entry");
            typename std::decay_t<decltype(into)>::value_type entry{};
            if (!parse(r.string(item["address"], what + ".address"), entry))
                r.fail(item["address"], what + ".address: expected " + expected);
            if (item["key"]) entry.key = key_ref(r, item["key"], out, what + ".key");
            into.push_back(entry);
        }
    };
    entries(
        "allow", "a prefix such as 192.0.2.0/24 or ::1",
        [](const std::string& text, TransferAllow& a) {
            auto p = parse_prefix(text);
            if (p) a.prefix = *p;
            return p.has_value();
        },
        out.allow);
    entries(
        "notify", "ADDRESS:PORT such as 192.0.2.53:53",
        [](const std::string& text, NotifyTarget& t) {
            auto ep = parse_endpoint(text);
            if (ep) t.endpoint = *ep;
            return ep.has_value();
        },
        out.notify);
    if (node["notify_retries"])
        out.notify_retries = static_cast<std::uint32_t>(
            r.integer(node["notify_retries"], 0, 100, "transfer.notify_retries"));
    if (auto t = node["notify_timeout"]) {
        auto d = parse_duration(r.string(t, "transfer.notify_timeout"));
        if (!d || d->count() == 0 || d->count() > 60'000)
            r.fail(t, "transfer.notify_timeout: expected a duration from 1ms to 60s, such as 2s");
        out.notify_timeout = *d;
    }
    if (node["ixfr_history"])
        out.ixfr_history = static_cast<std::uint32_t>(
            r.integer(node["ixfr_history"], 0, 1000, "transfer.ixfr_history"));
}

} // namespace

void read_transfer_config(const YamlReader& r, const YAML::Node& root,
                          const std::string& config_file, TransferConfig& out) {
    if (auto k = root["keys"]) read_keys(r, k, out);
    if (auto t = root["transfer"]) read_transfer(r, t, out);
    if (auto c = root["catalog"]) {
        out.catalog = fqdn_lower(r.string(c, "catalog"));
        if (out.catalog == ".") r.fail(c, "catalog: expected a zone name such as catalog.invalid");
    }
    if (auto s = root["state_dir"]) {
        std::filesystem::path p(r.string(s, "state_dir"));
        if (p.is_relative()) p = std::filesystem::path(config_file).parent_path() / p;
        out.state_dir = p.lexically_normal().string();
        out.state_dir_given = true;
    }
}

} // namespace srvd::config
