#include "cli/options.hpp"

#include <filesystem>
#include <iostream>
#include <utility>

namespace srvd::cli {

const char* const usage_text = R"(usage: srvd COMMAND [OPTIONS]

An authoritative DNS server for SIP failover: NAPTR, SRV and A/AAAA answers
for outbound proxy names, ordered per region.

commands:
  serve [-c FILE] [--listen ADDR:PORT]... [--allow-root]
                                          serve (SIGHUP reloads, SIGTERM stops); as
                                          root, needs `user:` or --allow-root
  check [-c FILE] [ZONE]... [--down SERVER]...
                                          validate everything and print a summary
                                          (with ZONEs: those zones in detail; with
                                          --down: what those servers' failure changes)
  export [-c FILE] ZONE [--region NAME]   print a zone as an RFC 1035 master file
  explain [-c FILE] --client IP [--ecs PREFIX] NAME [TYPE]
                                          which region a client falls in, why, and
                                          the answer it gets
  ctl [-c FILE | -s SOCKET] COMMAND       talk to the running server: status [--json],
                                          drain/undrain SERVER [--zone ZONE], reload,
                                          sign [ZONE], explain --client IP NAME [TYPE],
                                          explain --down SERVER
  help COMMAND, COMMAND --help            that command's usage, options, example
  --version                               print the version
  --help                                  print this help

FILE defaults to /etc/srvd/srvd.yaml. ADDR:PORT is 127.0.0.1:5300 or [::1]:5300.
)";

// Each command's usage, options and example, as `srvd COMMAND --help` prints it.
constexpr std::pair<const char*, const char*> command_helps[] = {
    {"serve", R"(usage: srvd serve [-c FILE] [--listen ADDR:PORT]... [--allow-root]

Serves the zones of FILE over UDP and TCP until SIGTERM or SIGINT; SIGHUP
reloads the configuration and zones (a broken one is logged and the running
one keeps serving). Started as root, srvd binds its sockets and then runs as
`user:` from FILE; without it, it refuses unless --allow-root is given.

  -c, --config FILE     the server configuration (default /etc/srvd/srvd.yaml)
  --listen ADDR:PORT    listen here instead of FILE's `listen:` (repeatable)
  --allow-root          keep running as root when FILE has no `user:`

Exit status: 0 after a clean stop, 1 when the configuration or an address
cannot be used (another process already serving it, for one).

example: srvd serve -c /etc/srvd/srvd.yaml
)"},
    {"check", R"(usage: srvd check [-c FILE] [ZONE]... [--down SERVER]...

Loads FILE and every zone as `serve` would, without serving, and prints a
summary; with ZONEs, those zones in detail. Errors are printed as
file:line:column: message.

With --down, a failover drill instead: every answer that the failure (or
drain) of those media servers would change, per zone (or the ZONEs given),
name, type and region, before -> after, the other servers taken as up; and
each zone left with no server up, with what its answers then do (all_down).
Nothing is served and nothing changes state.

  -c, --config FILE     the server configuration (default /etc/srvd/srvd.yaml)
  --down SERVER         a media server's label, as in media_servers (repeatable)

Exit status: 0 when everything loads, 1 otherwise (an unknown SERVER too).

example: srvd check -c /etc/srvd/srvd.yaml p.example.com
example: srvd check -c /etc/srvd/srvd.yaml --down ms1 --down ms2
)"},
    {"export", R"(usage: srvd export [-c FILE] ZONE [--region NAME]

Prints ZONE as an RFC 1035 master file that NSD, Knot or BIND can load: the
default region's view, or NAME's, every media server listed.

  -c, --config FILE     the server configuration (default /etc/srvd/srvd.yaml)
  --region NAME         that region's view instead of the default one

example: srvd export -c /etc/srvd/srvd.yaml p.example.com --region west
)"},
    {"explain", R"(usage: srvd explain [-c FILE] --client IP [--ecs PREFIX] NAME [TYPE]

Shows which region a client falls in and why (the GeoIP fields read, the
rule that matched), and the answer it gets for NAME (TYPE, default A).

  -c, --config FILE     the server configuration (default /etc/srvd/srvd.yaml)
  --client IP           the query's source address
  --ecs PREFIX          an EDNS Client Subnet, such as 198.51.100.0/24

example: srvd explain -c /etc/srvd/srvd.yaml --client 192.0.2.10 _sip._udp.sip.p.example.com SRV
)"},
    {"ctl", R"(usage: srvd ctl [-c FILE | -s SOCKET] COMMAND [ARGS]

Talks to the running srvd over its control socket (FILE's control.socket;
without -c and -s, /etc/srvd/srvd.yaml's if it exists, else
/run/srvd/control.sock), as knotc and nsd-control do.

commands:
  status [--json]                 version, uptime, listeners, zones and serials,
                                  the last reload, GeoIP, every media server's
                                  state (unknown, up, down, draining, drained)
                                  and probe; zones with every server down
  drain SERVER [--zone ZONE] [--temporary] [--wait]
                                  take a media server out of every answer now
                                  (in every zone that lists it unless --zone);
                                  kept across reloads and restarts in
                                  state_dir: exit 1 if it cannot be kept,
                                  unless --temporary; says when caches clear,
                                  and with --wait returns only then (resolvers
                                  flushed, the answers' TTL passed)
  undrain SERVER [--zone ZONE]    give it back to its health checks
  sign [ZONE]                     sign again now (every signed zone, or ZONE)
  reload                          reload now and wait for the result
  explain --client IP [--ecs PREFIX] NAME [TYPE]
                                  srvd explain against what the server answers
                                  now: live health and drains included
  explain --down SERVER... [ZONE]...
                                  a failover drill: every answer the failure of
                                  those servers would change now; nothing changes

  -c, --config FILE     find the socket in this server configuration
  -s, --socket SOCKET   the control socket itself

Exit status: 0 done, 1 refused (a reload with errors, an unknown server),
2 no server answering on the socket, or wrong usage.
example: srvd ctl -c /etc/srvd/srvd.yaml drain ms2 --zone p.example.com
)"},
};

const char* command_help(const std::string& command) {
    for (const auto& [name, text] : command_helps)
        if (command == name) return text;
    return nullptr;
}

std::optional<Parsed> parse(const Args& args, unsigned allow) {
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
        } else if ((allow & allow_listen) && a == "--allow-root") {
            p.allow_root = true;
        } else if ((allow & allow_listen) && a == "--listen") {
            if (!(v = value("--listen"))) return std::nullopt;
            p.listen.push_back(*v);
        } else if ((allow & allow_region) && a == "--region") {
            if (!(v = value("--region"))) return std::nullopt;
            p.region = *v;
        } else if ((allow & allow_down) && a == "--down") {
            if (!(v = value("--down"))) return std::nullopt;
            p.down.push_back(*v);
        } else if (!a.empty() && a[0] == '-' && !(allow & pass_rest)) {
            std::cerr << "srvd " << args[0] << ": unknown option " << a << "\n" << usage_text;
            return std::nullopt;
        } else {
            p.positional.push_back(a);
        }
    }
    if (p.config.empty()) {
        p.config = config::default_config_path;
        std::error_code ec;
        if (!std::filesystem::exists(p.config, ec)) {
            std::cerr << "srvd " << args[0] << ": no -c FILE, and no " << p.config
                      << " (the default)\n";
            return std::nullopt;
        }
    }
    return p;
}

std::optional<zone::Loaded> load_or_report(const std::string& config) {
    try {
        return zone::load_all(config);
    } catch (const config::LoadError& e) {
        const auto lines = config::error_lines(e);
        for (const auto& line : lines) std::cerr << line << "\n";
        std::cerr << config::error_count_text(lines.size()) << "\n";
    } catch (const std::exception& e) {
        std::cerr << config << ": " << e.what() << "\n";
    }
    return std::nullopt;
}

} // namespace srvd::cli
