#pragma once
// The control thread's work between start and stop: SIGHUP and `srvd ctl`
// reloads, answers rebuilt when a media server's health changes or an
// operator drains it, NOTIFYs to secondaries, and what `srvd ctl status`
// reports. Each change compiles a new snapshot off the workers and publishes
// it; the workers pick it up at their next batch.
#include "health/health_monitor.hpp"
#include "metrics/registry.hpp"
#include "net/tcp_listener.hpp"
#include "query/signing_budget.hpp"
#include "server/drains.hpp"
#include "server/notify_sender.hpp"
#include "zone/snapshot_holder.hpp"
#include "zone/snapshot_loader.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace srvd::server {

// The outcome of a command: the exit status `srvd ctl` returns and its text.
struct Reply {
    int status = 0;
    std::string text;
};

class Control {
  public:
    // `loaded` is what serve started with (already published to `holder`).
    // `signing` is the quota of signatures made for queries, whose rates a
    // reload may change.
    Control(boost::asio::io_context& io, zone::SnapshotHolder& holder, net::TcpLimits& tcp_limits,
            query::SigningQuota& signing, metrics::Registry& registry, std::string config_path,
            const zone::Loaded& loaded);

    // Sends the start-up NOTIFYs (those of `loaded`), applies the drains kept
    // in state_dir and starts the health checks.
    void start(const zone::Loaded& loaded);
    // Loads the configuration again; a failure keeps what is served. Status
    // 0 and the change summary, or 1 and every error line.
    Reply reload();
    // Takes a media server out of every answer (`on`) or gives it back to
    // its health checks, in `zone` or every zone that lists it.
    // Status 1 when the drain cannot be kept in state_dir (it is in force
    // all the same), unless `temporary`.
    Reply drain(const std::string& server, const std::string& zone, bool on,
                bool temporary = false);
    // Signs again the signed zones whose signatures are due (`force` null:
    // the hourly check), or those `force` names (empty: all) now, and
    // NOTIFYs their secondaries. One line per zone signed.
    Reply renew_signatures(std::int64_t now, const std::string* force = nullptr);
    // Version, uptime, listeners, zones, last reload, GeoIP, media servers.
    Reply status(bool json) const;
    // The control plane's metrics (DESIGN §7): zone serials, the last reload,
    // drains, probe round trips, the build; appended to the registry's.
    std::string render_metrics() const;
    // The addresses served (the configuration's, or --listen's), for status.
    void set_listen(std::vector<boost::asio::ip::udp::endpoint> listen) {
        listen_ = std::move(listen);
    }
    // Abandons NOTIFYs still retrying and stops the health checks.
    void stop();

    const zone::Snapshot& current() const { return *current_; }
    // Per media server of every zone, for metrics: (zone, server, drained).
    const Drains& drains() const { return drains_; }
    const health::HealthMonitor& monitor() const { return monitor_; }
    // Unix time of the last reload (or of the start) and whether it worked.
    std::int64_t last_reload_time() const { return last_reload_.time; }
    bool last_reload_ok() const { return last_reload_.ok; }

  private:
    void publish(std::shared_ptr<const zone::Snapshot> snapshot);
    void send_notifies(const zone::Loaded& loaded);
    // What answers are built with: the probes' states, drained servers down.
    std::vector<health::ServerHealth> states(const config::ZonePolicy& zone) const;
    // Rebuilds the zones whose servers changed state (tiers close up); other
    // zones, and the GeoIP tables, are kept.
    void apply_health();
    // Hourly: signs again the zones whose signatures are past half their
    // lifetime, and NOTIFYs their secondaries.
    void schedule_renewal();
    // rrl and limits.tcp_*: applied at once, and logged when they change.
    void apply_limits(const config::ServerConfig& next);

    zone::SnapshotHolder& holder_;
    net::TcpLimits& tcp_limits_;
    query::SigningQuota& signing_;
    metrics::Registry& registry_;
    const std::string config_path_;
    // listen, threads and metrics.listen as started; rrl and limits as last applied.
    config::ServerConfig running_;
    std::shared_ptr<const zone::Snapshot> current_;
    NotifySender notifier_;
    health::HealthMonitor monitor_;
    boost::asio::steady_timer renewal_; // signatures renewed before they expire
    Drains drains_;
    std::map<std::pair<std::string, std::string>, std::chrono::system_clock::time_point>
        drained_since_; // this run's drains; those kept from before count from the start
    std::vector<boost::asio::ip::udp::endpoint> listen_;
    const std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
    struct LastReload {
        std::int64_t time = 0; // Unix seconds; the start until the first reload
        bool ok = true;
        std::vector<std::string> lines; // the change summary or the errors
    } last_reload_;
};

// "N zone(s), N names, N KiB compiled in N ms": for the log.
std::string summary(const zone::Loaded& loaded);

// A line per zone (serial, media servers, proxies, health checks; at most
// `at_most` zones, then a count) and one for GeoIP: the start-up log.
std::vector<std::string> describe_zones(const zone::Loaded& loaded, std::size_t at_most);

// Applies the configured log level.
void apply_log_level(const config::ServerConfig& config);

} // namespace srvd::server
