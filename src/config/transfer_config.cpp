#include "config/transfer_config.hpp"

#include "config/server_config.hpp"
#include "config/yaml_reader.hpp"
#include "util/duration.hpp"

#include "dns/ldns.hpp"

#include <algorithm>
#include <filesystem>

namespace srvd {
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

void read_keys(const YamlReader& r, const YAML::Node& node, TransferConfig& out) {
    r.expect_map(node, "keys");
    for (const auto& item : node) {
        TsigKey key;
        key.name = fqdn_lower(r.string(item.first, "key name"));
        const std::string what = "keys." + r.string(item.first, "key name");
        if (out.find_key(key.name)) r.fail(item.first, what + ": duplicate key");
        r.expect_map(item.second, what);
        r.check_keys(item.second, {"algorithm", "secret"}, what);
        r.require(item.second, "algorithm", what);
        r.require(item.second, "secret", what);
        const std::string algorithm = r.string(item.second["algorithm"], what + ".algorithm");
        const char* ldns_name = ldns_algorithm(algorithm);
        if (!ldns_name)
            r.fail(item.second["algorithm"],
                   what + ".algorithm: expected hmac-sha256, hmac-sha512, hmac-sha1 or hmac-md5");
        key.algorithm = ldns_name;
        key.secret = r.string(item.second["secret"], what + ".secret");
        ldns_rdf* decoded = nullptr;
        const bool valid =
            !key.secret.empty() && ldns_str2rdf_b64(&decoded, key.secret.c_str()) == LDNS_STATUS_OK;
        ldns_rdf_deep_free(decoded);
        if (!valid)
            r.fail(item.second["secret"],
                   what + ".secret: expected base64 (as tsig-keygen prints)");
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
    if (auto allow = node["allow"]) {
        r.expect_seq(allow, "transfer.allow");
        for (const auto& item : allow) {
            r.expect_map(item, "transfer.allow entry");
            r.check_keys(item, {"address", "key"}, "transfer.allow entry");
            r.require(item, "address", "transfer.allow entry");
            TransferAllow a;
            auto prefix = parse_prefix(r.string(item["address"], "transfer.allow.address"));
            if (!prefix)
                r.fail(item["address"],
                       "transfer.allow.address: expected a prefix such as 192.0.2.0/24 or ::1");
            a.prefix = *prefix;
            if (item["key"]) a.key = key_ref(r, item["key"], out, "transfer.allow.key");
            out.allow.push_back(a);
        }
    }
    if (auto notify = node["notify"]) {
        r.expect_seq(notify, "transfer.notify");
        for (const auto& item : notify) {
            r.expect_map(item, "transfer.notify entry");
            r.check_keys(item, {"address", "key"}, "transfer.notify entry");
            r.require(item, "address", "transfer.notify entry");
            NotifyTarget t;
            auto ep = parse_endpoint(r.string(item["address"], "transfer.notify.address"));
            if (!ep)
                r.fail(item["address"],
                       "transfer.notify.address: expected ADDRESS:PORT such as 192.0.2.53:53");
            t.endpoint = *ep;
            if (item["key"]) t.key = key_ref(r, item["key"], out, "transfer.notify.key");
            out.notify.push_back(t);
        }
    }
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
    }
}

} // namespace srvd
