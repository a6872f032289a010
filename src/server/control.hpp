#pragma once
// The control thread's work between start and stop: SIGHUP reloads, answers
// rebuilt when a media server's health changes, NOTIFYs to secondaries. Each
// change compiles a new snapshot off the workers and publishes it; the
// workers pick it up at their next batch.
#include "health/health_monitor.hpp"
#include "metrics/registry.hpp"
#include "server/notify_sender.hpp"
#include "zone/snapshot_holder.hpp"
#include "net/tcp_listener.hpp"
#include "zone/snapshot_loader.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>

namespace srvd::server {

class Control {
  public:
    // `loaded` is what serve started with (already published to `holder`).
    Control(boost::asio::io_context& io, zone::SnapshotHolder& holder, net::TcpLimits& tcp_limits,
            metrics::Registry& registry, std::string config_path, const zone::Loaded& loaded);

    // Sends the start-up NOTIFYs (those of `loaded`) and starts the health checks.
    void start(const zone::Loaded& loaded);
    // Loads the configuration again; a failure keeps what is served.
    void reload();
    // Abandons NOTIFYs still retrying and stops the health checks.
    void stop();

    const zone::Snapshot& current() const { return *current_; }

  private:
    void publish(std::shared_ptr<const zone::Snapshot> snapshot);
    void send_notifies(const zone::Loaded& loaded);
    // Rebuilds the zones whose servers changed state (tiers close up); other
    // zones, and the GeoIP tables, are kept.
    void apply_health();
    // rrl and limits.tcp_*: applied at once, and logged when they change.
    void apply_limits(const ServerConfig& next);

    zone::SnapshotHolder& holder_;
    net::TcpLimits& tcp_limits_;
    metrics::Registry& registry_;
    const std::string config_path_;
    // listen, threads and metrics.listen as started; rrl and limits as last applied.
    ServerConfig running_;
    std::shared_ptr<const zone::Snapshot> current_;
    NotifySender notifier_;
    health::HealthMonitor monitor_;
};

// "N zone(s), N names, N KiB compiled in N ms": for the log.
std::string summary(const zone::Loaded& loaded);

// A line per zone (serial, media servers, proxies, health checks; at most
// `at_most` zones, then a count) and one for GeoIP: the start-up log.
std::vector<std::string> describe_zones(const zone::Loaded& loaded, std::size_t at_most);

// Applies the configured log level.
void apply_log_level(const ServerConfig& config);

} // namespace srvd::server
