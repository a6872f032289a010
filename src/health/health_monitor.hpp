#pragma once
// Probes every media server of every zone that has a `health:` section (once
// per server, however many zones share it), on
// Asio timers of the control thread, and keeps each server's state: up until
// the first probe finishes; down after `down_after` consecutive failures;
// draining on a 503; up again after `up_after` consecutive successes.
#include "config/zone_policy.hpp"
#include "health/health_table.hpp"
#include "health/load_weight.hpp"
#include "health/probe.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace srvd::health {

// What `srvd ctl status` shows of a probed media server.
struct ServerStatus {
    config::Transport transport = config::Transport::udp; // probed over
    ServerHealth state = ServerHealth::up;
    std::chrono::system_clock::time_point since; // of the current state
    bool probed = false;                         // a probe has finished
    std::string last_probe;                      // its result: "answered 200", "timed out"…
    double rtt_ms = 0;                           // its round trip, when answered
    std::optional<std::uint16_t> weight;         // as load makes it (first probe only)
    std::string weight_why;                      // why that weight, or none (health.load)
};

class HealthMonitor {
  public:
    // `changed` runs (on the control thread) after any server changes state.
    HealthMonitor(boost::asio::io_context& io, std::function<void()> changed);
    ~HealthMonitor();

    // Probes what the zones' `health:` sections configure; servers seen
    // before keep their state.
    void configure(const std::vector<const config::ZonePolicy*>& zones);
    // Every probe's state, as a copy another thread may read.
    HealthTable table() const;
    bool any_configured() const { return !servers_.empty(); }
    // A zone's media server as the probes see it, one per transport it is
    // probed over (the first decides the others); empty when not probed
    // (the zone has no `health:`).
    std::vector<ServerStatus> status(const config::ZonePolicy& zone,
                                     const config::MediaServer& server) const;
    // The last answered probe's round trip of every probe, for metrics.
    struct RoundTrip {
        std::string zone, server;
        config::Transport transport;
        bool several; // the server is probed over several transports
        double ms;
    };
    std::vector<RoundTrip> round_trips() const;
    void stop();

  private:
    struct Server;
    void schedule(const std::shared_ptr<Server>& server, std::chrono::milliseconds delay);
    void run_probe(const std::shared_ptr<Server>& server);
    void record(Server& server, bool ok, bool draining, const std::string& detail, double rtt_ms);
    // health.load: the server's load from its reply's header or its URL.
    void read_load(const std::shared_ptr<Server>& server, const ProbeResult& reply, bool ok);
    void record_load(Server& server, const std::optional<double>& load, const std::string& error);

    boost::asio::io_context& io_;
    std::function<void()> changed_;
    // Keyed by what is probed and how (probe_target): one probe per media
    // server however many zones list it.
    std::map<std::string, std::shared_ptr<Server>> servers_;
};

} // namespace srvd::health
