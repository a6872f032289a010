#include "net/server.hpp"

#include "health/health_monitor.hpp"
#include "metrics/http_server.hpp"
#include "metrics/registry.hpp"
#include "net/notify_sender.hpp"
#include "net/privileges.hpp"
#include "net/snapshot_holder.hpp"
#include "net/tcp_server.hpp"
#include "net/udp_worker.hpp"
#include "util/log.hpp"
#include "zone/snapshot_diff.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

namespace srvd::net {
namespace asio = boost::asio;

namespace {

struct Worker {
    asio::io_context io{1}; // one thread per context: no internal locking needed
    std::vector<std::unique_ptr<UdpListener>> udp;
    std::vector<std::shared_ptr<TcpListener>> tcp;
    std::thread thread;
};

std::string endpoint_text(const asio::ip::udp::endpoint& e) {
    return e.address().is_v6() ? "[" + e.address().to_string() + "]:" + std::to_string(e.port())
                               : e.address().to_string() + ":" + std::to_string(e.port());
}

void apply_log_level(const ServerConfig& config) {
    log::Level level;
    if (log::parse_level(config.log_level, level)) log::set_level(level);
}

std::string summary(const zone::Loaded& loaded) {
    std::size_t names = loaded.snapshot->names.size();
    return std::to_string(loaded.snapshot->zones.size()) + " zone(s), " + std::to_string(names) +
           " names, " + std::to_string(loaded.snapshot->memory() / 1024) + " KiB compiled in " +
           std::to_string(loaded.load_time.count()) + " ms";
}

} // namespace

int serve(const ServeOptions& options) {
    zone::Loaded loaded;
    try {
        loaded = zone::load_all(options.config_path, {.previous = nullptr, .write_state = true});
    } catch (const std::exception& e) {
        log::error(e.what());
        return 1;
    }
    apply_log_level(loaded.config);
    std::vector<asio::ip::udp::endpoint> listen =
        options.listen_override.empty() ? loaded.config.listen : options.listen_override;
    const unsigned threads = loaded.config.threads
                                 ? loaded.config.threads
                                 : std::max(1u, std::thread::hardware_concurrency());

    // Like NSD and Knot: bind as root, then run as the configured user.
    const bool root = ::geteuid() == 0;
    if (root && loaded.config.user.empty() && !options.allow_root) {
        log::error("refusing to run as root: set `user:` in " + loaded.config.file +
                   " (srvd binds its sockets, then switches), or pass --allow-root");
        return 1;
    }

    SnapshotHolder holder;
    holder.publish(loaded.snapshot);
    TcpLimits tcp_limits;
    tcp_limits.max_clients = loaded.config.limits.tcp_clients;
    tcp_limits.idle_timeout = loaded.config.limits.tcp_idle_timeout;

    metrics::Registry registry;
    registry.tcp_connections = &tcp_limits.open;
    std::vector<std::unique_ptr<Worker>> workers;
    // Builds zone transfers off the workers. Declared after them, so it is
    // joined while their io_contexts, which it posts results to, still exist.
    asio::thread_pool transfer_pool(1);
    asio::io_context control;
    std::shared_ptr<const zone::Snapshot> current = loaded.snapshot;
    std::shared_ptr<metrics::HttpServer> metrics_server;
    try {
        for (unsigned i = 0; i < threads; ++i) {
            auto w = std::make_unique<Worker>();
            metrics::WorkerCounters& counters = registry.add_worker();
            for (const auto& ep : listen) {
                w->udp.push_back(
                    std::make_unique<UdpListener>(w->io, ep, holder, counters, loaded.config.rrl));
                w->tcp.push_back(std::make_shared<TcpListener>(
                    w->io, asio::ip::tcp::endpoint(ep.address(), ep.port()), holder, tcp_limits,
                    counters, transfer_pool.get_executor()));
            }
            workers.push_back(std::move(w));
        }
        if (loaded.config.metrics_listen) {
            const auto& ep = *loaded.config.metrics_listen;
            metrics_server = std::make_shared<metrics::HttpServer>(
                control, asio::ip::tcp::endpoint(ep.address(), ep.port()),
                [&] { return registry.render(*current); });
            metrics_server->start();
            log::info("metrics on http://" + endpoint_text(ep) + "/metrics");
        }
    } catch (const boost::system::system_error& e) {
        log::error(std::string("cannot listen: ") + e.what());
        return 1;
    }

    if (root && !loaded.config.user.empty()) {
        if (auto error = drop_privileges(loaded.config.user, loaded.config.group); !error.empty()) {
            log::error(error);
            return 1;
        }
        log::info("running as user " + loaded.config.user);
    }

    std::string where;
    for (const auto& ep : listen) where += (where.empty() ? "" : " ") + endpoint_text(ep);
    log::info("srvd " SRVD_VERSION " serving " + summary(loaded) + " on " + where +
              " (udp, tcp) with " + std::to_string(threads) + " worker(s)");

    for (auto& w : workers) {
        for (auto& u : w->udp) u->start();
        for (auto& t : w->tcp) t->start();
        w->thread = std::thread([&io = w->io] { io.run(); });
    }

    NotifySender notifier(control);
    auto send_notifies = [&](const zone::Loaded& l) {
        for (const auto& [zone, serial] : l.notify)
            notifier.notify(l.config.transfer, zone, serial);
    };
    send_notifies(loaded);

    asio::signal_set signals(control, SIGINT, SIGTERM, SIGHUP);
    ServerConfig running = loaded.config;

    // A health change rebuilds the zones whose servers changed state (tiers
    // close up) and publishes the result like a reload; other zones, and the
    // GeoIP tables, are kept.
    std::unique_ptr<health::HealthMonitor> monitor;
    auto apply_health = [&] {
        try {
            const auto start = std::chrono::steady_clock::now();
            std::vector<std::shared_ptr<const zone::ZoneData>> zones;
            std::size_t rebuilt = 0;
            for (const auto& z : current->zones) {
                auto states = monitor->states(z.data->policy);
                if (zone::same_health(z.data->health, states)) {
                    zones.push_back(z.data);
                } else {
                    zones.push_back(zone::build_zone(z.data->policy, std::move(states)));
                    ++rebuilt;
                }
            }
            zone::SnapshotOptions o;
            o.recompile_of = current.get();
            current = zone::compile_snapshot(std::move(zones), o);
            holder.publish(current);
            log::info("health: answers of " + std::to_string(rebuilt) + " zone(s) rebuilt in " +
                      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - start)
                                         .count()) +
                      " ms");
        } catch (const std::exception& e) {
            log::error(std::string("health: cannot rebuild answers: ") + e.what());
        }
    };
    monitor = std::make_unique<health::HealthMonitor>(control, apply_health);
    monitor->configure(*current);
    std::function<void(boost::system::error_code, int)> on_signal =
        [&](boost::system::error_code ec, int signal) {
            if (ec) return;
            if (signal == SIGHUP) {
                // Built here, off the workers; they pick it up at their next batch.
                try {
                    // Servers known to be down stay out of the new answers.
                    zone::Loaded next = zone::load_all(
                        options.config_path,
                        {current.get(), true,
                         [&](const ZonePolicy& p) { return monitor->states(p); }});
                    if (next.config.listen != running.listen ||
                        next.config.threads != running.threads ||
                        next.config.metrics_listen != running.metrics_listen)
                        log::warning(
                            "reload: listen, threads and metrics.listen cannot change at run "
                            "time; restart srvd to apply them");
                    apply_log_level(next.config);
                    const auto changes = zone::describe_changes(*current, *next.snapshot);
                    holder.publish(next.snapshot);
                    current = next.snapshot;
                    monitor->configure(*current);
                    log::info("reloaded: " + summary(next) +
                              (changes.empty() ? "; no zone, name or region changed" : ""));
                    for (const auto& change : changes) log::info("reloaded: " + change);
                    send_notifies(next);
                    ++registry.reloads_succeeded;
                } catch (const std::exception& e) {
                    ++registry.reloads_failed;
                    log::error(std::string("reload failed, still serving the previous "
                                           "configuration: ") +
                               e.what());
                }
                signals.async_wait(on_signal);
                return;
            }
            log::info("stopping");
            notifier.stop();
            if (metrics_server) metrics_server->close();
            monitor->stop();
            for (auto& w : workers)
                asio::post(w->io, [&w = *w] {
                    for (auto& u : w.udp) u->close();
                    for (auto& t : w.tcp) t->close();
                });
        };
    signals.async_wait(on_signal);
    // The control loop ends when the workers have; signals keep it alive until then.
    std::thread waiter([&] {
        for (auto& w : workers) w->thread.join();
        asio::post(control, [&] { signals.cancel(); });
    });
    control.run();
    waiter.join();
    log::info("stopped");
    return 0;
}

} // namespace srvd::net
