#include "cli/commands.hpp"

#include "cli/options.hpp"

#include "config/load_error.hpp"
#include "explain/failover_drill.hpp"
#include "net/address_in_use.hpp"
#include "server/descriptor_budget.hpp"
#include "server/privileges.hpp"
#include "server/server.hpp"
#include "util/host_port.hpp"
#include "util/iso_time.hpp"
#include "zone/persist/zone_export.hpp"
#include "zone/snapshot/load_warnings.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

namespace srvd::cli {
int run(const Args& args) {
    // srvd help COMMAND, srvd COMMAND --help: that command's usage.
    if (args.size() >= 2 && args[0] == "help") {
        if (args[1] == "--help" || args[1] == "-h" || args[1] == "help") {
            std::cout << usage_text;
            return 0;
        }
        if (const char* help = command_help(args[1])) {
            std::cout << help;
            return 0;
        }
        std::cerr << "srvd: unknown command '" << args[1] << "'\n" << usage_text;
        return 2;
    }
    if (!args.empty() && command_help(args[0]))
        for (std::size_t i = 1; i < args.size(); ++i)
            if (args[i] == "--help" || args[i] == "-h") {
                std::cout << command_help(args[0]);
                return 0;
            }
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
    if (args[0] == "explain") return explain_command(args);
    if (args[0] == "ctl") return ctl_command(args);
    std::cerr << "srvd: unknown command '" << args[0] << "'\n" << usage_text;
    return 2;
}

int serve_command(const Args& args) {
    auto p = parse(args, allow_listen);
    if (!p || !p->positional.empty()) return 2;
    server::ServeOptions options{p->config, {}, p->allow_root};
    for (const auto& text : p->listen) {
        auto ep = config::parse_endpoint(text);
        if (!ep) {
            std::cerr << "srvd serve: --listen " << text << ": expected ADDR:PORT\n";
            return 2;
        }
        options.listen_override.push_back(*ep);
    }
    return server::serve(options);
}

namespace {

// A signed zone's keys with their states, and what its parent needs: the
// DNSKEY and DS (SHA-256) of each KSK that is or will be in the DNSKEY
// set, as `ldns-key2ds -2` or `dnssec-dsfromkey -2` print them, with the
// TTL the zone serves the DNSKEY with.
void describe_keys(const zone::ZoneData& z) {
    const std::int64_t now = std::time(nullptr);
    std::cout << "  dnssec: signatures valid until "
              << iso_time(std::chrono::system_clock::from_time_t(z.validity.expiration))
              << ", compact denial (RFC 9824)\n";
    for (const auto& k : z.keys->keys) std::cout << "    " << dnssec::describe_key(k, now) << "\n";
    if (z.next_key_event)
        std::cout << "    next key event: " << dnssec::utc_text(*z.next_key_event) << "\n";
    std::cout << "  for the parent (DNSKEY, DS):\n";
    for (const auto& k : z.keys->keys) {
        const auto state = dnssec::state_at(k.timing, now);
        if (k.flags != dnssec::sep_key_flags || state == dnssec::KeyState::retired ||
            state == dnssec::KeyState::removed)
            continue;
        std::cout << "  " << dns::rr_to_text(dnssec::published_dnskey(k, z.policy.ttl).get())
                  << "\n  " << dns::rr_to_text(dnssec::ds_record(k, z.policy.ttl).get()) << "\n";
    }
}

// What a dead media server costs this zone's phones: how long it stays in
// answers, then in caches; and the regions a GeoIP proxy leaves to the
// default's ordering. Where an operator's attention is needed, in one place.
// Milliseconds as seconds with one decimal: "12.6".
std::string seconds(std::uint64_t ms) {
    return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100);
}

void describe_failover(const config::ZonePolicy& zp) {
    std::uint32_t ttl = 0;
    for (const auto& px : zp.proxies) ttl = std::max(ttl, px.ttl);
    if (!zp.health) {
        std::cout << "  health: no checks: a dead media server stays in answers until drained "
                     "(srvd ctl drain) or removed\n";
    } else {
        const auto& h = *zp.health;
        const std::uint64_t detect = std::uint64_t{h.interval_ms} * h.down_after + h.timeout_ms;
        std::cout << "  health: "
                  << (h.probe == config::HealthConfig::Probe::tcp_connect ? "tcp-connect to "
                                                                          : "sip-options over ")
                  <<
            [&] {
                std::string over;
                for (config::Transport t : h.transports)
                    over += (over.empty() ? "" : ", ") + std::string(config::transport_name(t));
                return over;
            }() << " every "
                  << h.interval_ms << " ms, down after " << h.down_after
                  << ": a dead media server leaves answers within " << detect
                  << " ms, and caches hold it up to " << ttl
                  << " s more (the proxies' TTL; answer_ttl " << h.answer_ttl
                  << "): worst-case DNS convergence " << seconds(config::dns_convergence_ms(zp))
                  << " s"
                  << (h.converge_within_ms
                          ? " (converge_within " + seconds(h.converge_within_ms) + " s)"
                          : std::string())
                  << "\n";
    }
    for (const auto& px : zp.proxies)
        if (const std::string missing = config::regions_left_out(zp, px); !missing.empty())
            std::cout << "  proxy " << px.label << ": no ordering for " << missing << " (they get "
                      << zp.regions[zp.default_region].name << "'s)\n";
}

void describe_zone(const zone::ZoneData& z) {
    const config::ZonePolicy& zp = z.policy;
    std::size_t names = z.default_view().nodes.size(), records = 0;
    for (const auto& [n, node] : z.default_view().nodes)
        for (const auto& set : node.rrsets) records += set.rrs.size();
    std::cout << "zone " << zp.zone << " (" << zp.file << ")\n  serial " << zp.soa.serial
              << (zp.soa.serial_auto ? " (auto)" : "") << ", " << names << " names, " << records
              << " records in the default view\n  " << zp.media_servers.size() << " media servers:";
    for (const auto& ms : zp.media_servers) std::cout << " " << ms.label;
    std::cout << "\n  " << zp.proxies.size() << " proxies:";
    for (const auto& px : zp.proxies) std::cout << " " << px.label << (px.geo ? "(geo)" : "");
    std::cout << "\n  " << zp.regions.size() << " regions:";
    for (std::size_t i = 0; i < zp.regions.size(); ++i)
        std::cout << " " << zp.regions[i].name << (i == zp.default_region ? "(default)" : "");
    std::cout << "\n";
    describe_failover(zp);
    if (z.keys) describe_keys(z);
}

// Past this many zones the summary gives totals, so it still fits a screen.
constexpr std::size_t zones_described = 5;

void summarise_zones(const zone::Snapshot& s, const std::string& config) {
    std::size_t names = 0, proxies = 0, geo = 0, servers = 0, health = 0, signed_zones = 0;
    const zone::ZoneData* slowest = nullptr; // to converge after a failure
    std::uint64_t slowest_ms = 0;
    for (const auto& z : s.zones) {
        if (const auto ms = config::dns_convergence_ms(z.data->policy); ms > slowest_ms) {
            slowest_ms = ms;
            slowest = z.data.get();
        }
        signed_zones += z.data->keys ? 1 : 0;
        names += z.data->default_view().nodes.size();
        proxies += z.data->policy.proxies.size();
        for (const auto& px : z.data->policy.proxies) geo += px.geo ? 1 : 0;
        servers += z.data->policy.media_servers.size();
        health += z.data->policy.health ? 1 : 0;
    }
    std::cout << s.zones.size() << " zones:";
    for (std::size_t i = 0; i < zones_described; ++i)
        std::cout << " " << s.zones[i].data->policy.zone;
    std::cout << " …\n  " << names << " names, " << proxies << " proxies (" << geo
              << " GeoIP-aware), " << servers << " media server entries; " << health
              << " zone(s) with health checks, " << signed_zones << " signed\n";
    if (slowest)
        std::cout << "  worst-case DNS convergence after a failure: " << seconds(slowest_ms)
                  << " s (zone " << slowest->policy.zone << ")\n";
    std::cout << "  one zone in detail (and a signed zone's DS): srvd check -c " << config
              << " ZONE\n";
}

} // namespace

namespace {

// check --down: the failover drill instead of the summary.
int drill(const zone::Snapshot& s, const std::vector<std::string>& down,
          const std::vector<std::string>& zones) {
    std::string error;
    if (explain::drill(std::cout, s, down, zones, error)) return 0;
    std::cerr << "srvd check: " << error << "\n";
    return 1;
}

} // namespace

int check_command(const Args& args) {
    auto p = parse(args, allow_down);
    if (!p) return 2;
    const auto loaded = load_or_report(p->config);
    if (!loaded) return 1;
    for (const auto& name : p->positional)
        if (!loaded->snapshot->find_zone(name)) {
            std::cerr << "srvd check: no zone " << name << " in " << p->config << "\n";
            return 1;
        }
    if (!p->down.empty()) return drill(*loaded->snapshot, p->down, p->positional);
    const config::ServerConfig& c = loaded->config;
    for (const auto& warning : zone::load_warnings(*loaded))
        std::cerr << "warning: " << warning << "\n";
    // As root, `serve` switches to `user:` and reloads as that user.
    for (const auto& why :
         server::unreadable_as(c.user, c.group, server::files_read_on_reload(*loaded)))
        std::cerr << "warning: " << c.file << ": user " << c.user << " cannot read " << why
                  << ": serve starts (as root) but every reload will fail\n";
    if (std::filesystem::exists(c.transfer.state_dir))
        for (const auto& why :
             server::unreadable_as(c.user, c.group, {c.transfer.state_dir}, W_OK | X_OK))
            std::cerr << "warning: " << c.file << ": user " << c.user << " cannot write in " << why
                      << ": drains and automatic serials are not kept across restarts\n";
    const unsigned threads =
        c.threads ? c.threads : std::max(1u, std::thread::hardware_concurrency());
    if (const auto why = server::descriptor_shortfall(
            c, server::descriptors_needed(c, *loaded->snapshot, threads, c.listen.size()),
            server::open_file_hard_limit());
        !why.empty())
        std::cerr << "warning: " << why << "\n";
    for (const auto& ep : c.listen)
        if (!net::address_assigned(ep))
            std::cerr << "warning: " << c.file << ": listen " << host_port(ep.address(), ep.port())
                      << " is not an address of this host: serve will fail to bind it\n";
    std::cout << c.file << ": ok\n  listen:";
    for (const auto& ep : c.listen) std::cout << " " << host_port(ep.address(), ep.port());
    std::cout << "; threads: " << (c.threads ? std::to_string(c.threads) : "one per core")
              << "; udp payload " << c.limits.udp_payload << "; tcp clients "
              << c.limits.tcp_clients << "\n  rrl: ";
    if (c.rrl.responses_per_second)
        std::cout << c.rrl.responses_per_second << " answers/s per /" << int{c.rrl.ipv4_prefix}
                  << " and /" << int{c.rrl.ipv6_prefix} << ", slip " << c.rrl.slip << "\n";
    else
        std::cout << "off: on a public address srvd amplifies spoofed queries (set `rrl:`)\n";
    std::cout << "  state_dir " << c.transfer.state_dir
              << (std::filesystem::exists(c.transfer.state_dir)
                      ? ""
                      : " (missing: serve makes it" +
                            (c.user.empty() ? std::string() : ", owned by " + c.user) + ")")
              << (c.transfer.state_dir_given ? "" : " (the default: set state_dir:)")
              << ": drains and automatic serials\n";
    const auto& s = *loaded->snapshot;
    if (!p->positional.empty())
        for (const auto& name : p->positional) describe_zone(*s.find_zone(name));
    else if (s.zones.size() <= zones_described)
        for (const auto& z : s.zones) describe_zone(*z.data);
    else
        summarise_zones(s, p->config);
    if (s.geo)
        std::cout << "geoip " << s.geo->config.database << " (" << s.geo->description << ")\n  "
                  << s.geo->networks_v4 << " IPv4 and " << s.geo->networks_v6 << " IPv6 networks, "
                  << s.geo->locations << " distinct locations, compiled to " << s.geo->ranges()
                  << " ranges in " << s.geo->tables << " table(s) (" << s.geo->memory() / 1024
                  << " KiB) in " << s.geo->compile_time.count() << " ms; ECS "
                  << (s.geo->config.ecs ? "on" : "off") << ", private ECS addresses "
                  << (s.geo->config.ecs_private_use ? "used" : "fall back to the source address")
                  << "\n";
    const config::TransferConfig& t = s.transfer;
    if (!t.allow.empty() || !t.notify.empty() || !t.catalog.empty())
        std::cout << "transfers: " << t.allow.size() << " allow rule(s), " << t.keys.size()
                  << " TSIG key(s), NOTIFY to " << t.notify.size() << " secondar"
                  << (t.notify.size() == 1 ? "y" : "ies") << ", IXFR journal of " << t.ixfr_history
                  << " change(s) per zone" << (t.catalog.empty() ? "" : ", catalog " + t.catalog)
                  << "\n";
    std::cout << "compiled " << s.names.size() << " names, " << s.distinct_answers()
              << " distinct answers, " << s.memory() / 1024 << " KiB in "
              << loaded->load_time.count() << " ms\n";
    return 0;
}

int export_command(const Args& args) {
    auto p = parse(args, allow_region);
    if (!p) return 2;
    if (p->positional.size() != 1) {
        std::cerr << "srvd export: expected one ZONE\n";
        return 2;
    }
    const auto loaded = load_or_report(p->config);
    if (!loaded) return 1;
    const zone::ZoneData* z = loaded->snapshot->find_zone(p->positional[0]);
    if (!z) {
        std::cerr << "srvd export: no zone " << p->positional[0] << " in " << p->config << "\n";
        return 1;
    }
    std::size_t view = z->policy.default_view();
    if (p->region) {
        const auto& regions = z->policy.regions;
        auto it = std::find_if(regions.begin(), regions.end(),
                               [&](const config::Region& r) { return r.name == *p->region; });
        if (it == regions.end()) {
            std::string known;
            for (const config::Region& r : regions) known += (known.empty() ? "" : ", ") + r.name;
            std::cerr << "srvd export: zone " << z->policy.zone << " has no region " << *p->region
                      << (known.empty() ? std::string(" (it has no regions)")
                                        : " (its regions: " + known + ")")
                      << "\n";
            return 1;
        }
        view = static_cast<std::size_t>(it - regions.begin());
    }
    zone::export_zone(*z, view, std::cout);
    return 0;
}

} // namespace srvd::cli
