#pragma once
// The control plane between start and stop: SIGHUP and `srvd ctl` reloads,
// answers rebuilt when a media server's health changes or an operator
// drains it, signatures renewed, NOTIFYs to secondaries, and what `srvd ctl
// status` reports. The probes, the control socket and /metrics run on the
// control thread; every new snapshot is made on the change worker, in
// order, and published from there (the workers pick it up at their next
// batch); its result comes back to the control thread, which never waits.
#include "flush/resolver_flusher.hpp"
#include "health/health_monitor.hpp"
#include "metrics/registry.hpp"
#include "net/tcp_listener.hpp"
#include "query/signing_budget.hpp"
#include "server/change_worker.hpp"
#include "server/drains.hpp"
#include "server/live_state.hpp"
#include "server/notify_sender.hpp"
#include "server/reply.hpp"
#include "server/standby_filler.hpp"
#include "zone/snapshot/snapshot_diff.hpp"
#include "zone/snapshot/snapshot_holder.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace srvd::metrics {
class PrometheusText;
}

namespace srvd::server {

class Control {
  public:
    // `loaded` is what serve started with (already published to `holder`),
    // made on `changes`, where every later snapshot is made (and which
    // stop() stops). `signing` is the quota of signatures made for queries,
    // whose rates a reload may change.
    Control(boost::asio::io_context& io, ChangeWorker& changes, zone::SnapshotHolder& holder,
            net::TcpLimits& tcp_limits, query::SigningQuota& signing, metrics::Registry& registry,
            std::string config_path, const zone::Loaded& loaded);
    ~Control() { changes_.stop(); } // its jobs use this object

    // Sends the start-up NOTIFYs (those of `loaded`), applies the drains kept
    // in state_dir and starts the health checks.
    void start(const zone::Loaded& loaded);
    // The commands below answer `done` on the control thread once their
    // snapshot is published (or has failed).
    // Loads the configuration again; a failure keeps what is served. Status
    // 0 and the change summary, or 1 and every error line.
    void reload(ReplyTo done);
    // Takes a media server out of every answer (`on`) or gives it back to
    // its health checks, in `zone` or every zone that lists it.
    // Status 1 when the drain cannot be kept in state_dir (it is in force
    // all the same), unless `temporary`. A drain notes when every cache
    // lets the server go (the longest TTL of the answers that listed it,
    // from their publish), for status; `wait`: the reply says it, "caches
    // clear at ISO (unix N)", after the configured resolvers' flushes.
    void drain(const std::string& server, const std::string& zone, bool on, bool temporary,
               bool wait, ReplyTo done);
    // Signs again the signed zones whose signatures are due (`force` empty:
    // the hourly check), or those `force` names (an empty name: all) now,
    // and NOTIFYs their secondaries. One line per zone signed.
    void renew_signatures(std::int64_t now, std::optional<std::string> force, ReplyTo done);
    // A failover drill on what is served now (explain::drill), built on the
    // change worker: the control thread and the probes do not wait for it.
    void drill(std::vector<std::string> down, std::vector<std::string> zones, ReplyTo done);
    // Version, uptime, listeners, zones, last reload, GeoIP, media servers.
    Reply status(bool json) const;
    // The control plane's metrics (DESIGN §7): zone serials, the last reload,
    // drains, probe round trips, the build; appended to the registry's.
    std::string render_metrics() const;
    // The addresses served (the configuration's, or --listen's), for status.
    void set_listen(std::vector<boost::asio::ip::udp::endpoint> listen) {
        listen_ = std::move(listen);
    }
    // Abandons NOTIFYs still retrying, stops the health checks, finishes
    // the change under way and drops the rest.
    void stop();

    // What is published (as of the last change whose result the control
    // thread has taken).
    const zone::Snapshot& current() const { return *current_; }
    // Per media server of every zone, for metrics: (zone, server, drained).
    const Drains& drains() const { return drains_; }
    const health::HealthMonitor& monitor() const { return monitor_; }
    // Unix time of the last reload (or of the start) and whether it worked.
    std::int64_t last_reload_time() const { return last_reload_.time; }
    bool last_reload_ok() const { return last_reload_.ok; }

  private:
    // Each media server's live state, probes and round trips, for /metrics.
    void media_server_metrics(metrics::PrometheusText& out) const;
    // On the change worker: makes `snapshot` what is served (and what the
    // standby prepares for). `whole`: a reload or a renewal, which replaces
    // whole zones' data: the memory the replaced snapshot held is handed
    // back to the system once it is freed (see schedule_collect).
    void publish(std::shared_ptr<const zone::Snapshot> snapshot, bool whole = false);
    void send_notifies(const zone::Loaded& loaded);
    // The probes' table and the drains as the live state; its version.
    std::uint64_t publish_live();
    // Asks the change worker for answers built with the live state as it
    // is when the rebuild starts (one rebuild queued at a time: later
    // changes join it); `then` runs once answers reflect live version `seen`.
    void request_rebuild(std::uint64_t seen = 0, std::function<void()> then = nullptr);
    struct Rebuilt {
        std::string line;                    // for the log
        std::vector<flush::FlushItem> flush; // names whose answers changed, when resolvers are set
    };
    // On the change worker (or before it has work): rebuilds the zones
    // whose servers changed state (tiers close up); other zones, and the
    // GeoIP tables, are kept.
    Rebuilt rebuild(const LiveState& live);
    void reload_done(zone::Loaded next, zone::Changes changes, const ReplyTo& done);
    // `counted`: configuration errors (file:line:column), counted in a last line.
    void reload_failed(std::vector<std::string> lines, bool counted, const ReplyTo& done);
    std::function<void()> renew_on_worker(std::int64_t now, std::optional<std::string> force,
                                          ReplyTo done);
    // Hourly: signs again the zones whose signatures are past half their
    // lifetime, and NOTIFYs their secondaries.
    void schedule_renewal();
    // Every second: replaced snapshots no worker holds are freed on the
    // change worker, and their memory handed back to the system.
    void schedule_collect();
    // rrl and limits.tcp_*: applied at once, and logged when they change.
    void apply_limits(const config::ServerConfig& next);

    boost::asio::io_context& control_io_;
    ChangeWorker& changes_;
    zone::SnapshotHolder& holder_;
    net::TcpLimits& tcp_limits_;
    query::SigningQuota& signing_;
    metrics::Registry& registry_;
    const std::string config_path_;
    // listen, threads and metrics.listen as started; rrl and limits as last applied.
    config::ServerConfig running_;
    std::shared_ptr<const zone::Snapshot> current_; // the control thread's view
    std::shared_ptr<const zone::Snapshot> base_; // the change worker's: what the next job changes
    LiveStateHolder live_;
    std::atomic<bool> rebuild_queued_{false};
    std::multimap<std::uint64_t, std::function<void()>>
        waiting_; // live version -> run when in answers
    bool stopped_ = false;
    NotifySender notifier_;
    health::HealthMonitor monitor_;
    boost::asio::steady_timer renewal_; // signatures renewed before they expire
    boost::asio::steady_timer collect_; // replaced snapshots freed
    // Change worker only: a publish(…, whole) since the last trim, or the
    // first load (on the change worker too) not trimmed after yet.
    bool trim_due_ = true;
    Drains drains_;
    // This run's drains, by (zone, server), for status: since when (those
    // kept from before count from the start), and when no cache can hold an
    // answer listing the server any more (once its answers are published).
    struct DrainTimes {
        std::optional<std::chrono::system_clock::time_point> since, caches_clear;
    };
    std::map<std::pair<std::string, std::string>, DrainTimes> drain_times_;
    std::vector<boost::asio::ip::udp::endpoint> listen_;
    const std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
    struct LastReload {
        std::int64_t time = 0; // Unix seconds; the start until the first reload
        bool ok = true;
        std::vector<std::string> lines; // the change summary or the errors
    } last_reload_;
    // Answers prepared ahead for the next failure; its steps run on changes_.
    StandbyFiller standby_{changes_, live_, running_.limits.standby_memory};
    // Zones a health change or drain rebuilt: taken from the standby, or compiled then.
    std::atomic<std::uint64_t> rebuilt_prepared_{0}, rebuilt_compiled_{0};
    // The operator's resolvers, told to drop the names a rebuild changed.
    flush::ResolverFlusher flusher_{control_io_};
};

// "N zone(s), N names, N KiB compiled in N ms": for the log.
std::string summary(const zone::Loaded& loaded);

// A line per zone (serial, media servers, proxies, health checks; at most
// `at_most` zones, then a count) and one for GeoIP: the start-up log.
std::vector<std::string> describe_zones(const zone::Loaded& loaded, std::size_t at_most);

// Applies the configured log level.
void apply_log_level(const config::ServerConfig& config);

} // namespace srvd::server
