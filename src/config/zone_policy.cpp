#include "config/zone_policy.hpp"

#include "config/yaml_reader.hpp"
#include "util/duration.hpp"
#include "util/stable_hash.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include <unistd.h>

namespace srvd::config {
namespace {

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string fqdn(std::string name) {
    if (name.empty() || name.back() != '.') name.push_back('.');
    return name;
}

// A name written relative to the zone: letters, digits, '-', '_' and dots
// between labels; '@' and absolute names are not allowed where a label is meant.
bool valid_relative_name(const std::string& name) {
    if (name.empty() || name.front() == '.' || name.back() == '.') return false;
    std::size_t label = 0;
    for (char c : name) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '*'))
            return false;
        if (++label > 63) return false;
    }
    return true;
}

} // namespace

struct IncludeCache::Files {
    struct File {
        YAML::Node root;
        std::uint64_t digest;
    };
    std::map<std::string, File> parsed;
    std::map<std::string, std::uint64_t> digests; // by sources_unchanged
};
IncludeCache::IncludeCache() : files(std::make_unique<Files>()) {}
IncludeCache::~IncludeCache() = default;
std::size_t IncludeCache::size() const {
    return files->parsed.size();
}

namespace {

class PolicyReader {
  public:
    PolicyReader(const std::string& path, IncludeCache* cache) : r_(path), cache_(cache) {
        policy_.file = path;
    }

    ZonePolicy read() {
        std::uint64_t digest = 0;
        YAML::Node root = r_.load(&digest);
        policy_.sources.push_back({r_.file(), digest});
        r_.expect_map(root, "zone policy");
        r_.check_keys(root,
                      {"zone", "ttl", "soa", "nameservers", "ports", "media_servers", "regions",
                       "default_region", "proxies", "records", "health", "include", "dnssec"},
                      "zone policy");
        r_.require(root, "zone", "zone policy");
        r_.require(root, "soa", "zone policy");
        r_.require(root, "nameservers", "zone policy");
        if (root["include"]) read_includes(root["include"]);
        policy_.zone_mark = r_.mark(root["zone"]);
        policy_.zone = lower(fqdn(r_.string(root["zone"], "zone")));
        if (policy_.zone != "." &&
            !valid_relative_name(policy_.zone.substr(0, policy_.zone.size() - 1)))
            r_.fail(root["zone"], "zone: '" + policy_.zone + "' is not a valid domain name");
        if (root["ttl"])
            policy_.ttl = static_cast<std::uint32_t>(r_.integer(root["ttl"], 0, 2147483647, "ttl"));
        // From here on the sections are independent: every error is
        // reported, not only the first. An error that follows from one
        // already reported (a target naming a media server that failed) is not.
        errors_.attempt([&] { read_soa(root["soa"]); });
        errors_.attempt([&] { read_nameservers(root["nameservers"]); });
        // The shareable sections, each from the policy or from one included file.
        Section ports, servers, regions, default_region, health;
        sections_failed_ = !errors_.attempt([&] {
            ports = section(root, "ports");
            servers = section(root, "media_servers");
            regions = section(root, "regions");
            default_region = section(root, "default_region");
            health = section(root, "health");
        });
        if (ports)
            errors_.attempt([&] {
                in(ports, [&](auto& n) { policy_.ports = read_ports(n, Ports{}, "ports"); });
            });
        if (servers) in(servers, [&](auto& n) { read_media_servers(n); });
        regions_failed_ = sections_failed_ ||
                          !errors_.attempt([&] { read_region_sections(regions, default_region); });
        if (root["proxies"]) read_proxies(root["proxies"]);
        if (root["records"]) errors_.attempt([&] { read_records(root["records"]); });
        if (health) errors_.attempt([&] { in(health, [&](auto& n) { read_health(n); }); });
        if (root["dnssec"]) errors_.attempt([&] { read_dnssec(root["dnssec"]); });
        // A server's own probe_transport meets the zone's probe kind only here.
        if (policy_.health && policy_.health->probe == HealthConfig::Probe::tcp_connect)
            for (const auto& ms : policy_.media_servers)
                if (std::count(ms.probe_transports.begin(), ms.probe_transports.end(),
                               Transport::udp))
                    errors_.attempt([&] {
                        throw LoadError(ms.mark, "media_servers." + ms.label +
                                                     ".probe_transport: tcp-connect probes tcp "
                                                     "or tls, not udp");
                    });
        errors_.throw_if_any();
        // A proxy without a ttl of its own: health-dependent answers take
        // answer_ttl, else the zone's.
        for (auto& proxy : policy_.proxies)
            if (!proxy.ttl_given)
                proxy.ttl = policy_.health ? policy_.health->answer_ttl : policy_.ttl;
        return std::move(policy_);
    }

  private:
    // An error that follows from one already reported: skipped, not reported.
    struct Cascade {};

    // Runs one item's step (a media server, a proxy): its error is kept and
    // the next item is read.
    template <typename F> bool attempt_item(F&& step) {
        return errors_.attempt([&] {
            try {
                step();
            } catch (const Cascade&) {
            }
        });
    }

    ErrorList errors_;
    std::set<std::string> failed_servers_; // lowercased names of media servers with errors
    bool regions_failed_ = false;
    bool sections_failed_ = false; // a section defined twice: which one holds is unknown

    // Errors are reported through r_, which names the file being read; while
    // an included file's section is read, r_ names that file instead.
    YamlReader r_;
    IncludeCache* cache_;
    ZonePolicy policy_;
    struct Included {
        YamlReader reader;
        YAML::Node root;
    };
    std::vector<Included> includes_;
    // Where a shareable section was found: the reader of its file and the node.
    struct Section {
        const YamlReader* reader = nullptr;
        YAML::Node node;
        explicit operator bool() const { return reader != nullptr; }
    };

    void read_region_sections(const Section& regions, const Section& default_region) {
        if (regions) {
            in(regions, [&](auto& n) { read_regions(n); });
            if (!default_region)
                in(regions, [&](auto& n) {
                    r_.fail(n, "default_region: required when regions are defined");
                });
            in(default_region,
               [&](auto& n) { policy_.default_region = region_index(n, "default_region"); });
        } else if (default_region) {
            in(default_region,
               [&](auto& n) { r_.fail(n, "default_region: no regions are defined"); });
        }
    }

    // include: FILE or [FILE, ...], relative to the policy's directory. An
    // included file holds only sections a fleet of zones shares.
    void read_includes(const YAML::Node& node) {
        std::vector<YAML::Node> items;
        if (node.IsSequence())
            for (const auto& item : node) items.push_back(item);
        else
            items.push_back(node);
        for (const auto& item : items) {
            const std::string path = relative_path(r_.string(item, "include"));
            Included inc{YamlReader(path), {}};
            std::uint64_t digest = 0;
            try {
                const IncludeCache::Files::File* cached = nullptr;
                if (cache_)
                    if (auto hit = cache_->files->parsed.find(path);
                        hit != cache_->files->parsed.end())
                        cached = &hit->second;
                inc.root = cached ? cached->root : inc.reader.load(&digest);
                if (cached) digest = cached->digest;
            } catch (const LoadError& e) {
                if (e.mark().line != 0) throw; // a syntax error in the included file: its position
                r_.fail(item, std::string("include: ") + e.what());
            }
            inc.reader.expect_map(inc.root, "included file");
            inc.reader.check_keys(inc.root,
                                  {"ports", "media_servers", "regions", "default_region", "health"},
                                  "included file");
            if (cache_)
                cache_->files->parsed.emplace(path, IncludeCache::Files::File{inc.root, digest});
            policy_.sources.push_back({path, digest});
            includes_.push_back(std::move(inc));
        }
    }

    Section section(const YAML::Node& root, const char* key) {
        Section found;
        if (root[key]) found = Section{&r_, root[key]};
        for (const auto& inc : includes_) {
            if (!inc.root[key]) continue;
            if (found) {
                const SourceMark there = inc.reader.mark(inc.root[key]);
                found.reader->fail(found.node, std::string(key) + ": also defined at " +
                                                   there.file + ":" + std::to_string(there.line) +
                                                   ":" + std::to_string(there.column) +
                                                   "; define it in one place");
            }
            found = Section{&inc.reader, inc.root[key]};
        }
        return found;
    }

    // Runs `read` on the section with errors pointing into the section's file.
    template <typename F> void in(const Section& s, F&& read) {
        if (s.reader == &r_) return read(s.node);
        YamlReader saved = r_;
        r_ = *s.reader;
        try {
            read(s.node);
        } catch (...) {
            r_ = std::move(saved);
            throw;
        }
        r_ = std::move(saved);
    }
    // Every name the policy defines inside the zone, to report duplicates.
    std::map<std::string, SourceMark> names_;

    void claim_name(const YAML::Node& key, const std::string& label, std::string_view what) {
        if (!valid_relative_name(label))
            r_.fail(key, std::string(what) + " '" + label +
                             "': expected a name relative to the zone (letters, digits, '-', '_')");
        auto [it, fresh] = names_.emplace(lower(label), r_.mark(key));
        if (!fresh)
            r_.fail(key, "duplicate name '" + label + "' (first defined at " +
                             (it->second.file == r_.file() ? "line " : it->second.file + ":") +
                             std::to_string(it->second.line) + ")");
    }

    std::uint32_t u32(const YAML::Node& n, const char* what) {
        return static_cast<std::uint32_t>(r_.integer(n, 0, 4294967295LL, what));
    }

    // soa.contact as the RNAME it stands for (RFC 1035 8): an address written
    // as mail (hostmaster@acme.test) becomes hostmaster.acme.test., dots in
    // its local part escaped (john\.doe.acme.test.).
    std::string rname(const YAML::Node& node) {
        const std::string text = r_.string(node, "soa.contact");
        const auto at = text.find('@');
        if (at == std::string::npos) return fqdn(text);
        const std::string local = text.substr(0, at), domain = text.substr(at + 1);
        if (local.empty() || domain.empty() || domain.find('@') != std::string::npos) {
            const std::string zone = policy_.zone.substr(0, policy_.zone.size() - 1);
            r_.fail(node, "soa.contact: expected a mailbox such as hostmaster@" + zone +
                              " or its RNAME form hostmaster." + zone + ".");
        }
        std::string out;
        for (char c : local) out += c == '.' ? std::string("\\.") : std::string(1, c);
        return fqdn(out + "." + domain);
    }

    void read_soa(const YAML::Node& soa) {
        r_.expect_map(soa, "soa");
        r_.check_keys(
            soa, {"primary", "contact", "serial", "refresh", "retry", "expire", "minimum"}, "soa");
        for (auto key : {"primary", "contact", "serial"}) r_.require(soa, key, "soa");
        Soa& s = policy_.soa;
        s.primary = fqdn(r_.string(soa["primary"], "soa.primary"));
        s.contact = rname(soa["contact"]);
        s.serial_auto = soa["serial"].IsScalar() && soa["serial"].Scalar() == "auto";
        s.serial = s.serial_auto ? 0 : u32(soa["serial"], "soa.serial");
        // Defaults as RFC 1912 suggests and NSD's examples use.
        s.refresh = soa["refresh"] ? u32(soa["refresh"], "soa.refresh") : 3600;
        s.retry = soa["retry"] ? u32(soa["retry"], "soa.retry") : 600;
        s.expire = soa["expire"] ? u32(soa["expire"], "soa.expire") : 1209600;
        s.minimum = soa["minimum"] ? u32(soa["minimum"], "soa.minimum") : 300;
    }

    std::vector<std::string> read_addresses(const YAML::Node& list, const std::string& what) {
        r_.expect_seq(list, what);
        std::vector<std::string> out;
        for (const auto& item : list) {
            std::string text = r_.string(item, what);
            boost::system::error_code ec;
            auto a = boost::asio::ip::make_address(text, ec);
            if (ec) r_.fail(item, what + ": '" + text + "' is not an IPv4 or IPv6 address");
            out.push_back(a.to_string());
        }
        return out;
    }

    void read_nameservers(const YAML::Node& ns) {
        r_.expect_map(ns, "nameservers");
        if (ns.size() == 0) r_.fail(ns, "nameservers: at least one nameserver is needed");
        for (const auto& item : ns) {
            NameServer server;
            server.name = r_.string(item.first, "nameserver name");
            server.mark = r_.mark(item.first);
            const bool absolute = !server.name.empty() && server.name.back() == '.';
            if (!absolute) claim_name(item.first, server.name, "nameserver");
            if (!item.second.IsNull())
                server.addresses = read_addresses(item.second, "nameservers." + server.name);
            if (!absolute && server.addresses.empty())
                r_.fail(item.first, "nameserver '" + server.name +
                                        "' is inside the zone and needs addresses (glue)");
            policy_.nameservers.push_back(std::move(server));
        }
    }

    Ports read_ports(const YAML::Node& node, Ports base, const std::string& what) {
        r_.expect_map(node, what);
        r_.check_keys(node, {"udp", "tcp", "tls"}, what);
        auto port = [&](const char* key, std::uint16_t& out) {
            if (node[key])
                out = static_cast<std::uint16_t>(r_.integer(node[key], 1, 65535, what + "." + key));
        };
        port("udp", base.udp);
        port("tcp", base.tcp);
        port("tls", base.tls);
        return base;
    }

    // udp, tcp, tls: one, or a list without repeats.
    std::vector<Transport> read_transports(const YAML::Node& node, const std::string& what) {
        std::vector<Transport> out;
        auto one = [&](const YAML::Node& e) {
            const std::string name = r_.string(e, what);
            Transport tr;
            if (name == "udp")
                tr = Transport::udp;
            else if (name == "tcp")
                tr = Transport::tcp;
            else if (name == "tls")
                tr = Transport::tls;
            else
                r_.fail(e, what + ": expected udp, tcp or tls");
            if (std::find(out.begin(), out.end(), tr) != out.end())
                r_.fail(e, what + ": '" + name + "' is listed twice");
            out.push_back(tr);
        };
        if (node.IsSequence())
            for (const auto& e : node) one(e);
        else
            one(node);
        if (out.empty()) r_.fail(node, what + ": empty");
        return out;
    }

    // A file named in a policy: relative to the file that names it.
    std::string relative_path(std::string path) const {
        const std::string file = r_.file();
        if (!path.empty() && path.front() != '/' && file.find('/') != std::string::npos)
            path = file.substr(0, file.rfind('/') + 1) + path;
        // Errors name /etc/srvd/shared/platform.yaml, not zones/../shared/…
        return path.empty() ? path : std::filesystem::path(path).lexically_normal().string();
    }

    GeoPoint read_point(const YAML::Node& node, const std::string& what) {
        if (!node.IsSequence() || node.size() != 2)
            r_.fail(node, what + ": expected [latitude, longitude]");
        GeoPoint p{r_.number(node[0], what), r_.number(node[1], what)};
        if (p.latitude < -90 || p.latitude > 90)
            r_.fail(node[0], what + ": latitude outside -90..90");
        if (p.longitude < -180 || p.longitude > 180)
            r_.fail(node[1], what + ": longitude outside -180..180");
        return p;
    }

    void read_media_servers(const YAML::Node& list) {
        errors_.attempt([&] { r_.expect_map(list, "media_servers"); });
        if (!list.IsMap()) return;
        for (const auto& item : list)
            if (!attempt_item([&] { read_media_server(item); }) && item.first.IsScalar())
                failed_servers_.insert(lower(item.first.Scalar()));
    }

    void read_media_server(const std::pair<YAML::Node, YAML::Node>& item) {
        MediaServer ms;
        ms.label = r_.string(item.first, "media server name");
        ms.mark = r_.mark(item.first);
        // One label: its name in the zone is LABEL.<zone>, and a key with
        // dots (ms1.voice.acme.test) would become ms1.voice.acme.test.<zone>.
        if (ms.label.find('.') != std::string::npos)
            r_.fail(item.first, "media server '" + ms.label +
                                    "': expected a single label (letters, digits, '-', "
                                    "'_'), such as '" +
                                    ms.label.substr(0, ms.label.find('.')) +
                                    "'; it is named within the zone");
        claim_name(item.first, ms.label, "media server");
        const std::string what = "media_servers." + ms.label;
        const YAML::Node& body = item.second;
        r_.expect_map(body, what);
        r_.check_keys(body,
                      {"addresses", "location", "ports", "probe_address", "probe_ports",
                       "probe_transport", "tls_name", "load_url"},
                      what);
        r_.require(body, "addresses", what);
        ms.addresses = read_addresses(body["addresses"], what + ".addresses");
        if (ms.addresses.empty()) r_.fail(body["addresses"], what + ".addresses: empty");
        if (body["location"]) ms.location = read_point(body["location"], what + ".location");
        ms.ports = body["ports"] ? read_ports(body["ports"], policy_.ports, what + ".ports")
                                 : policy_.ports;
        if (auto p = body["probe_address"]) {
            std::string text = r_.string(p, what + ".probe_address");
            boost::system::error_code ec;
            boost::asio::ip::make_address(text, ec);
            if (ec) r_.fail(p, what + ".probe_address: '" + text + "' is not an IP address");
            ms.probe_address = text;
        }
        ms.probe_ports = body["probe_ports"]
                             ? read_ports(body["probe_ports"], ms.ports, what + ".probe_ports")
                             : ms.ports;
        if (auto t = body["probe_transport"])
            ms.probe_transports = read_transports(t, what + ".probe_transport");
        if (auto n = body["tls_name"]) {
            std::string name = lower(r_.string(n, what + ".tls_name"));
            if (!name.empty() && name.back() == '.') name.pop_back();
            if (!valid_relative_name(name))
                r_.fail(n, what + ".tls_name: '" + name + "' is not a valid host name");
            ms.tls_name = name;
        }
        if (auto u = body["load_url"]) {
            ms.load_url = r_.string(u, what + ".load_url");
            if (ms.load_url.rfind("http://", 0) != 0 || ms.load_url.size() <= 7)
                r_.fail(u, what + ".load_url: expected an http:// URL such as "
                                  "http://10.0.0.11:8080/load");
        }
        policy_.media_servers.push_back(std::move(ms));
    }

    void read_regions(const YAML::Node& list) {
        r_.expect_map(list, "regions");
        std::set<std::string> seen;
        for (const auto& item : list) {
            Region region;
            region.name = r_.string(item.first, "region name");
            region.mark = r_.mark(item.first);
            if (!seen.insert(region.name).second)
                r_.fail(item.first, "duplicate region '" + region.name + "'");
            const std::string what = "regions." + region.name;
            r_.expect_map(item.second, what);
            r_.check_keys(item.second, {"match", "location"}, what);
            if (auto m = item.second["match"]) {
                r_.expect_seq(m, what + ".match");
                for (const auto& e : m) {
                    std::string code = upper(r_.string(e, what + ".match"));
                    auto dash = code.find('-');
                    // COUNTRY-SUB: ISO 3166-2 codes (US-CA), or the subdivision
                    // names some databases carry (US-CALIFORNIA).
                    bool ok =
                        dash == std::string::npos ? code.size() == 2 : dash == 2 && code.size() > 3;
                    if (!ok)
                        r_.fail(e, what + ".match: '" + e.Scalar() +
                                       "': expected a continent (NA), a country (US) or a "
                                       "subdivision (US-CA)");
                    region.match.push_back(code);
                }
            }
            if (item.second["location"])
                region.location = read_point(item.second["location"], what + ".location");
            policy_.regions.push_back(std::move(region));
        }
        if (policy_.regions.empty()) r_.fail(list, "regions: empty");
    }

    std::size_t region_index(const YAML::Node& node, const std::string& what) {
        if (regions_failed_) throw Cascade{};
        std::string name = r_.string(node, what);
        for (std::size_t i = 0; i < policy_.regions.size(); ++i)
            if (policy_.regions[i].name == name) return i;
        r_.fail(node, what + ": unknown region '" + name + "'");
    }

    std::size_t server_index(const YAML::Node& node) {
        std::string name = r_.string(node, "target");
        for (std::size_t i = 0; i < policy_.media_servers.size(); ++i)
            if (lower(policy_.media_servers[i].label) == lower(name)) return i;
        if (sections_failed_ || failed_servers_.count(lower(name))) throw Cascade{};
        std::string known;
        for (const auto& ms : policy_.media_servers)
            known += (known.empty() ? "" : ", ") + ms.label;
        r_.fail(node, "unknown media server '" + name +
                          "' in targets (known: " + (known.empty() ? "none" : known) + ")");
    }

    Ordering read_ordering(const YAML::Node& list, const std::string& what) {
        r_.expect_seq(list, what);
        if (list.size() == 0) r_.fail(list, what + ": at least one target is needed");
        Ordering ordering;
        std::set<std::size_t> used;
        auto add = [&](Tier& tier, const YAML::Node& name, std::uint16_t weight) {
            std::size_t index = server_index(name);
            if (!used.insert(index).second)
                r_.fail(name, what + ": media server '" + name.Scalar() + "' is listed twice");
            tier.push_back({index, weight});
        };
        for (const auto& entry : list) {
            Tier tier;
            if (entry.IsScalar()) {
                add(tier, entry, 0);
            } else if (entry.IsMap() && entry.size() > 0) {
                for (const auto& m : entry)
                    add(tier, m.first,
                        static_cast<std::uint16_t>(
                            r_.integer(m.second, 0, 65535, what + " weight")));
            } else {
                r_.fail(entry, what + ": expected a media server name or a map of name: weight");
            }
            ordering.push_back(std::move(tier));
        }
        return ordering;
    }

    void read_proxies(const YAML::Node& list) {
        errors_.attempt([&] { r_.expect_map(list, "proxies"); });
        if (!list.IsMap()) return;
        for (const auto& item : list) attempt_item([&] { read_proxy(item); });
    }

    void read_proxy(const std::pair<YAML::Node, YAML::Node>& item) {
        Proxy proxy;
        proxy.label = r_.string(item.first, "proxy name");
        proxy.mark = r_.mark(item.first);
        claim_name(item.first, proxy.label, "proxy");
        const std::string what = "proxies." + proxy.label;
        const YAML::Node& body = item.second;
        r_.expect_map(body, what);
        r_.check_keys(body, {"transports", "targets", "ttl"}, what);
        r_.require(body, "targets", what);
        proxy.ttl_given = static_cast<bool>(body["ttl"]);
        if (proxy.ttl_given) proxy.ttl = u32(body["ttl"], (what + ".ttl").c_str());
        if (auto t = body["transports"]) {
            r_.expect_seq(t, what + ".transports");
            proxy.transports = read_transports(t, what + ".transports");
        } else {
            proxy.transports = {Transport::udp, Transport::tcp};
        }
        const YAML::Node& targets = body["targets"];
        if (targets.IsMap()) {
            if (regions_failed_) throw Cascade{};
            if (policy_.regions.empty())
                r_.fail(targets, what + ".targets: per-region targets need 'regions'");
            proxy.geo = true;
            std::vector<std::optional<Ordering>> given(policy_.regions.size());
            for (const auto& e : targets) {
                std::size_t region = region_index(e.first, what + ".targets");
                if (given[region])
                    r_.fail(e.first,
                            what + ".targets: region '" + e.first.Scalar() + "' is listed twice");
                given[region] = read_ordering(e.second, what + ".targets." + e.first.Scalar());
            }
            if (!given[policy_.default_region])
                r_.fail(targets, what + ".targets: the default region '" +
                                     policy_.regions[policy_.default_region].name +
                                     "' needs an ordering");
            for (auto& o : given) {
                proxy.orderings.push_back(o ? *o : *given[policy_.default_region]);
                proxy.region_given.push_back(o.has_value());
            }
        } else {
            Ordering o = read_ordering(targets, what + ".targets");
            proxy.orderings.assign(policy_.view_count(), o);
        }
        policy_.proxies.push_back(std::move(proxy));
    }

    std::uint32_t millis(const YAML::Node& node, const std::string& what) {
        auto d = parse_duration(r_.string(node, what));
        if (!d || d->count() == 0 || d->count() > 3'600'000)
            r_.fail(node, what + ": expected a duration from 1ms to 1h, such as 2s or 500ms");
        return static_cast<std::uint32_t>(d->count());
    }

    void read_health(const YAML::Node& h) {
        r_.expect_map(h, "health");
        r_.check_keys(h,
                      {"probe", "transport", "interval", "timeout", "down_after", "up_after",
                       "ok_codes", "all_down", "answer_ttl", "converge_within", "tls_ca_file",
                       "load"},
                      "health");
        HealthConfig c;
        c.mark = r_.mark(h);
        if (auto p = h["probe"]) {
            const std::string v = r_.string(p, "health.probe");
            if (v == "sip-options")
                c.probe = HealthConfig::Probe::sip_options;
            else if (v == "tcp-connect")
                c.probe = HealthConfig::Probe::tcp_connect;
            else
                r_.fail(p, "health.probe: expected sip-options or tcp-connect");
        }
        // tcp-connect connects to the TCP port unless told tls.
        if (c.probe == HealthConfig::Probe::tcp_connect) c.transports = {Transport::tcp};
        if (auto t = h["transport"]) {
            c.transports = read_transports(t, "health.transport");
            if (c.probe == HealthConfig::Probe::tcp_connect &&
                std::count(c.transports.begin(), c.transports.end(), Transport::udp))
                r_.fail(t, "health.transport: tcp-connect probes tcp or tls, not udp");
        }
        if (auto f = h["tls_ca_file"]) {
            c.tls_ca_file = relative_path(r_.string(f, "health.tls_ca_file"));
            if (::access(c.tls_ca_file.c_str(), R_OK) != 0)
                r_.fail(f, "health.tls_ca_file: cannot read '" + c.tls_ca_file +
                               "': " + std::strerror(errno));
        }
        if (h["interval"]) c.interval_ms = millis(h["interval"], "health.interval");
        if (h["timeout"])
            c.timeout_ms = millis(h["timeout"], "health.timeout");
        else
            c.timeout_ms = std::min(c.timeout_ms, c.interval_ms); // the default fits any interval
        if (c.timeout_ms > c.interval_ms)
            r_.fail(h["timeout"] ? h["timeout"] : h,
                    "health.timeout: must not be longer than health.interval");
        if (h["down_after"])
            c.down_after = static_cast<std::uint32_t>(
                r_.integer(h["down_after"], 1, 100, "health.down_after"));
        if (h["up_after"])
            c.up_after =
                static_cast<std::uint32_t>(r_.integer(h["up_after"], 1, 100, "health.up_after"));
        if (auto codes = h["ok_codes"]) {
            r_.expect_seq(codes, "health.ok_codes");
            c.ok_codes.clear();
            for (const auto& e : codes) {
                const std::string v = r_.string(e, "health.ok_codes");
                int low = 0, high = 0;
                char dash = 0;
                const int n = std::sscanf(v.c_str(), "%d%c%d", &low, &dash, &high);
                if (n == 1)
                    high = low;
                else if (n != 3 || dash != '-')
                    low = high = 0;
                if (low < 100 || high > 699 || low > high)
                    r_.fail(e, "health.ok_codes: '" + v +
                                   "': expected a SIP status code or a range such as 200-299");
                c.ok_codes.emplace_back(low, high);
            }
        }
        if (auto a = h["all_down"]) {
            const std::string v = r_.string(a, "health.all_down");
            if (v != "serve-all" && v != "serve-none")
                r_.fail(a, "health.all_down: expected serve-all or serve-none");
            c.serve_all_when_all_down = v == "serve-all";
        }
        c.answer_ttl = h["answer_ttl"] ? static_cast<std::uint32_t>(r_.integer(
                                             h["answer_ttl"], 0, 2147483647, "health.answer_ttl"))
                                       : std::min(c.answer_ttl, policy_.ttl);
        if (auto w = h["converge_within"])
            c.converge_within_ms = millis(w, "health.converge_within");
        if (auto l = h["load"]) c.load = read_load(l);
        policy_.health = c;
    }

    LoadConfig read_load(const YAML::Node& l) {
        r_.expect_map(l, "health.load");
        r_.check_keys(l, {"header", "min_weight", "max_weight", "every", "hysteresis", "smoothing"},
                      "health.load");
        LoadConfig c;
        c.mark = r_.mark(l);
        if (auto h = l["header"]) c.header = r_.string(h, "health.load.header");
        auto weight = [&](const char* key, std::uint16_t& out) {
            if (l[key])
                out = static_cast<std::uint16_t>(
                    r_.integer(l[key], 0, 65535, std::string("health.load.") + key));
        };
        weight("min_weight", c.min_weight);
        weight("max_weight", c.max_weight);
        weight("hysteresis", c.hysteresis);
        if (c.min_weight > c.max_weight)
            r_.fail(l["min_weight"] ? l["min_weight"] : l,
                    "health.load.min_weight: must not exceed max_weight");
        if (l["every"]) c.every_ms = millis(l["every"], "health.load.every");
        if (auto sm = l["smoothing"]) {
            c.smoothing = r_.number(sm, "health.load.smoothing");
            if (!(c.smoothing > 0 && c.smoothing <= 1))
                r_.fail(sm, "health.load.smoothing: expected a share above 0, at most 1");
        }
        return c;
    }

    // dnssec: { keys: [FILE...], rrsig_lifetime: 14d }. The files are read
    // (and their errors reported) by the zone builder, with ldns.
    void read_dnssec(const YAML::Node& d) {
        // `dnssec: off`: unsigned on purpose, which a reload of a signed
        // zone needs to go unsigned (snapshot_loader's check).
        if (d.IsScalar() && (d.Scalar() == "off" || d.Scalar() == "false")) {
            policy_.dnssec_off = true;
            return;
        }
        if (d.IsScalar())
            r_.fail(d, "dnssec: expected a mapping ({ keys: [...] }), or off to serve the zone "
                       "unsigned on purpose");
        r_.expect_map(d, "dnssec");
        r_.check_keys(d, {"keys", "rrsig_lifetime", "propagation_delay", "parent_delay"}, "dnssec");
        r_.require(d, "keys", "dnssec");
        DnssecPolicy c;
        c.keys_mark = r_.mark(d["keys"]);
        r_.expect_seq(d["keys"], "dnssec.keys");
        const std::string file = r_.file();
        const std::string dir = file.find('/') == std::string::npos
                                    ? std::string()
                                    : file.substr(0, file.rfind('/') + 1);
        for (const auto& item : d["keys"]) {
            std::string path = r_.string(item, "dnssec.keys");
            if (path.empty()) r_.fail(item, "dnssec.keys: an empty file name");
            if (path.front() != '/') path = dir + path;
            path = std::filesystem::path(path).lexically_normal().string();
            c.keys.push_back({path, r_.mark(item)});
            add_key_sources(path);
        }
        if (c.keys.empty()) r_.fail(d["keys"], "dnssec.keys: name at least one key file");
        if (auto l = d["rrsig_lifetime"]) {
            const std::string v = r_.string(l, "dnssec.rrsig_lifetime");
            auto days = parse_duration(v);
            if (!days || days->count() % 86'400'000 != 0 || *days < std::chrono::hours(24 * 2) ||
                *days > std::chrono::hours(24 * 365))
                r_.fail(l,
                        "dnssec.rrsig_lifetime: expected whole days from 2d to 365d, such as 14d");
            c.rrsig_lifetime_days = static_cast<std::uint32_t>(days->count() / 86'400'000);
        }
        for (const auto& [key, into] : {std::pair{"propagation_delay", &c.propagation_delay},
                                        {"parent_delay", &c.parent_delay}})
            if (auto n = d[key]) {
                const std::string what = std::string("dnssec.") + key;
                const auto v = parse_duration(r_.string(n, what));
                if (!v || v->count() < 0) r_.fail(n, what + ": expected a duration such as 1h");
                *into = v->count() / 1000;
            }
        policy_.dnssec = std::move(c);
    }

    // A key file's halves count among the policy's sources: a reload after
    // a key file changed (a rollover) rebuilds the zone. One that cannot be
    // read has digest 0; the zone builder reports it.
    void add_key_sources(const std::string& path) {
        std::string base = path;
        for (const std::string suffix : {".key", ".private"})
            if (base.size() > suffix.size() &&
                base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0)
                base.resize(base.size() - suffix.size());
        for (const char* suffix : {".key", ".private"}) {
            std::uint64_t digest = 0;
            try {
                digest = stable_hash(read_config_file(base + suffix));
            } catch (const LoadError&) {
            }
            policy_.sources.push_back({base + suffix, digest});
        }
    }

    void read_records(const YAML::Node& list) {
        r_.expect_seq(list, "records");
        for (const auto& item : list)
            policy_.records.push_back({r_.string(item, "records entry"), r_.mark(item)});
    }
};

} // namespace

ZonePolicy load_zone_policy(const std::string& path, IncludeCache* cache) {
    return PolicyReader(path, cache).read();
}

bool sources_unchanged(const ZonePolicy& policy, IncludeCache* cache) {
    if (policy.sources.empty()) return false; // not read from files (a catalog)
    auto digest_now = [cache](const std::string& path) {
        if (cache)
            if (auto it = cache->files->digests.find(path); it != cache->files->digests.end())
                return it->second;
        const std::uint64_t digest = stable_hash(read_config_file(path));
        if (cache) cache->files->digests.emplace(path, digest);
        return digest;
    };
    try {
        for (const auto& source : policy.sources)
            if (digest_now(source.path) != source.digest) return false;
    } catch (const LoadError&) {
        return false;
    }
    return true;
}

std::uint64_t dns_convergence_ms(const ZonePolicy& zone) {
    if (!zone.health) return 0;
    const HealthConfig& h = *zone.health;
    std::uint64_t ttl = 0;
    for (const auto& proxy : zone.proxies) ttl = std::max<std::uint64_t>(ttl, proxy.ttl);
    return std::uint64_t{h.interval_ms} * h.down_after + h.timeout_ms + ttl * 1000;
}

std::string regions_left_out(const ZonePolicy& zone, const Proxy& proxy) {
    std::string missing;
    for (std::size_t r = 0; r < proxy.region_given.size(); ++r)
        if (!proxy.region_given[r]) missing += (missing.empty() ? "" : ", ") + zone.regions[r].name;
    return missing;
}

} // namespace srvd::config
