#include "cli/commands.hpp"

#include "config/load_error.hpp"
#include "net/server.hpp"
#include "zone/snapshot_loader.hpp"
#include "zone/zone_export.hpp"

#include <iostream>
#include <optional>

namespace srvd::cli {
namespace {

constexpr const char* usage_text = R"(usage: srvd COMMAND [OPTIONS]

An authoritative DNS server for SIP failover: NAPTR, SRV and A/AAAA answers
for outbound proxy names, ordered per region.

commands:
  serve -c FILE [--listen ADDR:PORT]...   serve (SIGHUP reloads, SIGTERM stops)
  check -c FILE                           validate everything and print a summary
  export -c FILE ZONE [--region NAME]     print a zone as an RFC 1035 master file
  --version                               print the version
  --help                                  print this help

ADDR:PORT is 127.0.0.1:5300 or [::1]:5300.
)";

struct Parsed {
    std::string config;
    std::vector<std::string> listen;
    std::optional<std::string> region;
    std::vector<std::string> positional;
};

// Returns nullopt (after printing why) on a usage error.
std::optional<Parsed> parse(const Args& args, bool allow_listen, bool allow_region) {
    Parsed p;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&](const char* name) -> std::optional<std::string> {
            if (i + 1 >= args.size()) {
                std::cerr << "srvd: " << name << " needs a value\n";
                return std::nullopt;
            }
            return args[++i];
        };
        std::optional<std::string> v;
        if (a == "-c" || a == "--config") {
            if (!(v = value("-c"))) return std::nullopt;
            p.config = *v;
        } else if (allow_listen && a == "--listen") {
            if (!(v = value("--listen"))) return std::nullopt;
            p.listen.push_back(*v);
        } else if (allow_region && a == "--region") {
            if (!(v = value("--region"))) return std::nullopt;
            p.region = *v;
        } else if (!a.empty() && a[0] == '-') {
            std::cerr << "srvd " << args[0] << ": unknown option " << a << "\n" << usage_text;
            return std::nullopt;
        } else {
            p.positional.push_back(a);
        }
    }
    if (p.config.empty()) {
        std::cerr << "srvd " << args[0] << ": -c FILE is required\n";
        return std::nullopt;
    }
    return p;
}

} // namespace

int run(const Args& args) {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::cout << usage_text;
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version" || args[0] == "-V") {
        std::cout << "srvd " << SRVD_VERSION << "\n";
        return 0;
    }
    if (args[0] == "serve") return serve_command(args);
    if (args[0] == "check") return check_command(args);
    if (args[0] == "export") return export_command(args);
    std::cerr << "srvd: unknown command '" << args[0] << "'\n" << usage_text;
    return 2;
}

int serve_command(const Args& args) {
    auto p = parse(args, true, false);
    if (!p || !p->positional.empty()) return 2;
    net::ServeOptions options{p->config, {}};
    for (const auto& text : p->listen) {
        auto ep = parse_endpoint(text);
        if (!ep) {
            std::cerr << "srvd serve: --listen " << text << ": expected ADDR:PORT\n";
            return 2;
        }
        options.listen_override.push_back(*ep);
    }
    return net::serve(options);
}

int check_command(const Args& args) {
    auto p = parse(args, false, false);
    if (!p || !p->positional.empty()) return 2;
    zone::Loaded loaded;
    try {
        loaded = zone::load_all(p->config);
    } catch (const LoadError& e) {
        std::cerr << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << p->config << ": " << e.what() << "\n";
        return 1;
    }
    const ServerConfig& c = loaded.config;
    std::cout << c.file << ": ok\n  listen:";
    for (const auto& ep : c.listen)
        std::cout << " " << (ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string())
                  << ":" << ep.port();
    std::cout << "; threads: " << (c.threads ? std::to_string(c.threads) : "one per core")
              << "; udp payload " << c.limits.udp_payload << "; tcp clients " << c.limits.tcp_clients
              << "\n";
    for (const auto& z : loaded.snapshot->zones) {
        const ZonePolicy& zp = z.data->policy;
        std::size_t names = z.data->default_view().nodes.size(), records = 0;
        for (const auto& [n, node] : z.data->default_view().nodes)
            for (const auto& set : node.rrsets) records += set.rrs.size();
        std::cout << "zone " << zp.zone << " (" << zp.file << ")\n  serial " << zp.soa.serial
                  << ", " << names << " names, " << records << " records in the default view\n  "
                  << zp.media_servers.size() << " media servers:";
        for (const auto& ms : zp.media_servers) std::cout << " " << ms.label;
        std::cout << "\n  " << zp.proxies.size() << " proxies:";
        for (const auto& px : zp.proxies) std::cout << " " << px.label << (px.geo ? "(geo)" : "");
        std::cout << "\n  " << zp.regions.size() << " regions:";
        for (std::size_t i = 0; i < zp.regions.size(); ++i)
            std::cout << " " << zp.regions[i].name << (i == zp.default_region ? "(default)" : "");
        std::cout << "\n";
    }
    const auto& s = *loaded.snapshot;
    std::cout << "compiled " << s.nodes.size() << " names, " << s.answers.size() << " answers, "
              << s.memory() / 1024 << " KiB in " << loaded.load_time.count() << " ms\n";
    return 0;
}

int export_command(const Args& args) {
    auto p = parse(args, false, true);
    if (!p) return 2;
    if (p->positional.size() != 1) {
        std::cerr << "srvd export: expected one ZONE\n";
        return 2;
    }
    zone::Loaded loaded;
    try {
        loaded = zone::load_all(p->config);
    } catch (const std::exception& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    const zone::ZoneData* z = loaded.snapshot->find_zone(p->positional[0]);
    if (!z) {
        std::cerr << "srvd export: no zone " << p->positional[0] << " in " << p->config << "\n";
        return 1;
    }
    std::size_t view = z->policy.default_view();
    if (p->region) {
        const auto& regions = z->policy.regions;
        auto it = std::find_if(regions.begin(), regions.end(),
                               [&](const Region& r) { return r.name == *p->region; });
        if (it == regions.end()) {
            std::cerr << "srvd export: zone " << z->policy.zone << " has no region " << *p->region
                      << "\n";
            return 1;
        }
        view = static_cast<std::size_t>(it - regions.begin());
    }
    zone::export_zone(*z, view, std::cout);
    return 0;
}

} // namespace srvd::cli
