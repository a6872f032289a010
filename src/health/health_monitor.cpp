#include "health/health_monitor.hpp"

#include "health/load_source.hpp"
#include "health/probe.hpp"
#include "health/sip_message.hpp"
#include "util/host_port.hpp"
#include "util/log.hpp"

namespace srvd::health {

struct HealthMonitor::Server {
    Server(boost::asio::io_context& io) : timer(io) {}
    std::string zone, label; // the first zone that has it, for logs
    std::size_t zones = 1;   // how many zones share this probe
    bool several = false;    // the server is probed over several transports
    // health.load, on the server's first probe: its weight and where its
    // load is read (load_url, else the reply's header).
    std::optional<LoadWeight> load;
    std::string load_url;
    config::HealthConfig config;
    ProbeTarget target;
    ServerHealth state = ServerHealth::up;
    ServerStatus status;
    std::uint32_t successes = 0, failures = 0;
    boost::asio::steady_timer timer;
    bool stopped = false;

    std::string name() const {
        // The transport only when it is one of several: the lines operators
        // grep for stay as they were.
        return zone + " " + label + " (" +
               (several ? std::string(config::transport_name(target.transport)) + " " : "") +
               host_port(target.address, target.port) + ")" +
               (zones > 1
                    ? " and the same server in " + std::to_string(zones - 1) + " other zone(s)"
                    : "");
    }
};

HealthMonitor::HealthMonitor(boost::asio::io_context& io, std::function<void()> changed)
    : io_(io), changed_(std::move(changed)) {}

HealthMonitor::~HealthMonitor() {
    stop();
}

void HealthMonitor::stop() {
    for (auto& [key, s] : servers_) {
        s->stopped = true;
        s->timer.cancel();
    }
    servers_.clear();
}

void HealthMonitor::configure(const std::vector<const config::ZonePolicy*>& zones) {
    std::map<std::string, std::shared_ptr<Server>> next;
    for (const config::ZonePolicy* z : zones) {
        const config::ZonePolicy& policy = *z;
        if (!policy.health) continue;
        for (const auto& ms : policy.media_servers)
            for (ProbeTarget& t : probe_targets(policy, ms)) {
                if (auto shared = next.find(t.key); shared != next.end()) {
                    ++shared->second->zones;
                    continue;
                }
                auto s = std::make_shared<Server>(io_);
                s->zone = policy.zone;
                s->label = ms.label;
                s->config = *policy.health;
                s->several = policy.health->transports_of(ms).size() > 1;
                const auto& h = *policy.health;
                if (h.load && t.transport == h.transports_of(ms).front() &&
                    (!ms.load_url.empty() || !h.load->header.empty())) {
                    // Three intervals without a reading: configured weights again.
                    s->load.emplace(*h.load, std::chrono::milliseconds(3 * h.interval_ms));
                    s->load_url = ms.load_url;
                }
                s->status.since = std::chrono::system_clock::now();
                if (auto old = servers_.find(t.key); old != servers_.end()) {
                    s->state = old->second->state; // a reload does not forget who is down
                    s->status = old->second->status;
                    s->successes = old->second->successes;
                    s->failures = old->second->failures;
                    if (s->load && old->second->load) s->load = old->second->load;
                }
                const std::string key = t.key;
                s->target = std::move(t);
                next.emplace(key, s);
            }
    }
    stop();
    servers_ = std::move(next);
    for (auto& [key, s] : servers_) schedule(s, std::chrono::milliseconds(0));
}

std::vector<HealthMonitor::RoundTrip> HealthMonitor::round_trips() const {
    std::vector<RoundTrip> out;
    for (const auto& [key, s] : servers_)
        if (s->status.probed && s->status.rtt_ms > 0)
            out.push_back({s->zone, s->label, s->target.transport, s->several, s->status.rtt_ms});
    return out;
}

std::vector<ServerStatus> HealthMonitor::status(const config::ZonePolicy& zone,
                                                const config::MediaServer& server) const {
    std::vector<ServerStatus> out;
    for (const ProbeTarget& t : probe_targets(zone, server))
        if (auto it = servers_.find(t.key); it != servers_.end()) {
            // State and transport are the probe's own; status holds the rest.
            out.push_back(it->second->status);
            out.back().state = it->second->state;
            out.back().transport = it->second->target.transport;
        }
    return out;
}

HealthTable HealthMonitor::table() const {
    HealthTable out;
    for (const auto& [key, s] : servers_) {
        out.by_probe.emplace(key, s->state);
        if (s->load && s->load->weight()) out.weights.emplace(key, *s->load->weight());
    }
    return out;
}

void HealthMonitor::schedule(const std::shared_ptr<Server>& server,
                             std::chrono::milliseconds delay) {
    server->timer.expires_after(delay);
    server->timer.async_wait([this, server](boost::system::error_code ec) {
        if (ec || server->stopped) return;
        // The next probe is due one interval after this one started.
        schedule(server, std::chrono::milliseconds(server->config.interval_ms));
        run_probe(server);
    });
}

void HealthMonitor::run_probe(const std::shared_ptr<Server>& server) {
    const auto start = std::chrono::steady_clock::now();
    probe(io_, server->config, server->target, [this, server, start](ProbeResult r) {
        if (server->stopped) return;
        if (r.not_sent) {
            // This host's shortage, not the server's failure: its state
            // stands (a descriptor shortage once took every server down).
            server->status.last_probe = r.error;
            log::warning("health: " + server->name() + ": probe " + r.error +
                         " (not counted against the server)");
            return;
        }
        bool ok = false;
        for (const auto& [low, high] : server->config.ok_codes)
            ok |= r.code >= low && r.code <= high;
        const bool draining = r.answered && r.code == 503 && !ok;
        std::string detail = !r.answered ? r.error
                             : server->config.probe == config::HealthConfig::Probe::tcp_connect
                                 ? "connected"
                                 : "answered " + std::to_string(r.code);
        const double rtt =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        record(*server, ok, draining, detail, r.answered ? rtt : 0);
        if (server->load) read_load(server, r, ok);
    });
}

void HealthMonitor::read_load(const std::shared_ptr<Server>& server, const ProbeResult& reply,
                              bool ok) {
    if (server->load_url.empty()) {
        const std::string& header = server->config.load->header;
        const std::string value = ok ? header_value(reply.head, header) : std::string();
        return record_load(*server, parse_load(value),
                           !ok             ? "no answer"
                           : value.empty() ? "no " + header + " header"
                                           : "'" + value + "' is not a number");
    }
    fetch_load(io_, server->load_url, server->config.timeout_ms, [this, server](LoadReading r) {
        if (!server->stopped) record_load(*server, r.load, r.error);
    });
}

void HealthMonitor::record_load(Server& s, const std::optional<double>& load,
                                const std::string& error) {
    const auto now = std::chrono::steady_clock::now();
    const bool changed = load ? s.load->reading(*load, now) : s.load->silence(now);
    if (!load)
        s.status.weight_why = "load: " + error + "; " + s.load->why();
    else
        s.status.weight_why = s.load->why();
    s.status.weight = s.load->weight();
    if (!changed) return;
    log::notice("health: " + s.name() + " " + s.load->why());
    changed_();
}

void HealthMonitor::record(Server& s, bool ok, bool draining, const std::string& detail,
                           double rtt_ms) {
    const ServerHealth before = s.state;
    s.status.probed = true;
    s.status.last_probe = detail;
    s.status.rtt_ms = rtt_ms;
    if (ok) {
        ++s.successes;
        s.failures = 0;
        if (s.state != ServerHealth::up && s.successes >= s.config.up_after)
            s.state = ServerHealth::up;
    } else if (draining) {
        s.successes = 0;
        s.failures = 0;
        s.state = ServerHealth::draining; // an explicit signal: no threshold
    } else {
        ++s.failures;
        s.successes = 0;
        if (s.state != ServerHealth::down && s.failures >= s.config.down_after)
            s.state = ServerHealth::down;
    }
    if (s.state == before) return;
    s.status.since = std::chrono::system_clock::now();
    static const char* names[] = {"up", "down", "draining"};
    const std::string line =
        "health: " + s.name() + " is " + names[static_cast<int>(s.state)] + " (" + detail + ")";
    if (s.state == ServerHealth::up)
        log::notice(line); // back in service: worth seeing, nothing to fix
    else
        log::warning(line);
    changed_();
}

} // namespace srvd::health
