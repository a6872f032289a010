#include "server/server.hpp"

#include "metrics/http_server.hpp"
#include "metrics/registry.hpp"
#include "net/address_in_use.hpp"
#include "server/control.hpp"
#include "server/privileges.hpp"
#include "zone/snapshot_holder.hpp"
#include "net/tcp_listener.hpp"
#include "net/udp_listener.hpp"
#include "util/host_port.hpp"
#include "util/log.hpp"
#include "zone/load_warnings.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

namespace srvd::server {
namespace asio = boost::asio;

namespace {

struct Worker {
    asio::io_context io{1}; // one thread per context: no internal locking needed
    std::vector<std::unique_ptr<net::UdpListener>> udp;
    std::vector<std::shared_ptr<net::TcpListener>> tcp;
    std::thread thread;
};

} // namespace

int serve(const ServeOptions& options) {
    // Signals are caught from the first moment: a SIGTERM while zones load or
    // sockets bind waits for the loop and stops it cleanly (exit 0) instead
    // of killing the process with the default action.
    asio::io_context control;
    asio::signal_set signals(control, SIGINT, SIGTERM, SIGHUP);
    zone::Loaded loaded;
    try {
        loaded = zone::load_all(options.config_path, {.previous = nullptr, .write_state = true});
    } catch (const std::exception& e) {
        log::error(e.what());
        return 1;
    }
    apply_log_level(loaded.config);
    for (const auto& warning : zone::load_warnings(loaded)) log::warning(warning);
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

    zone::SnapshotHolder holder;
    holder.publish(loaded.snapshot);
    holder.publish_rrl(loaded.config.rrl);
    net::TcpLimits tcp_limits;
    tcp_limits.max_clients = loaded.config.limits.tcp_clients;
    tcp_limits.idle_timeout = loaded.config.limits.tcp_idle_timeout;

    metrics::Registry registry;
    registry.tcp_connections = &tcp_limits.open;
    std::vector<std::unique_ptr<Worker>> workers;
    // Builds zone transfers off the workers. Declared after them, so it is
    // joined while their io_contexts, which it posts results to, still exist.
    asio::thread_pool transfer_pool(1);
    Control control_plane(control, holder, tcp_limits, registry, options.config_path, loaded);
    std::shared_ptr<metrics::HttpServer> metrics_server;
    // Every address is checked before any is bound: the workers' own
    // SO_REUSEPORT sockets must not make the check see srvd itself.
    for (const auto& ep : listen) {
        if (auto why = net::address_in_use(ep); !why.empty()) {
            log::error("cannot listen on " + host_port(ep.address(), ep.port()) + ": " + why);
            return 1;
        }
    }
    const asio::ip::udp::endpoint* binding = nullptr;
    try {
        for (unsigned i = 0; i < threads; ++i) {
            auto w = std::make_unique<Worker>();
            metrics::WorkerCounters& counters = registry.add_worker();
            for (const auto& ep : listen) {
                binding = &ep;
                w->udp.push_back(std::make_unique<net::UdpListener>(w->io, ep, holder, counters));
                w->tcp.push_back(std::make_shared<net::TcpListener>(
                    w->io, asio::ip::tcp::endpoint(ep.address(), ep.port()), holder, tcp_limits,
                    counters, transfer_pool.get_executor()));
            }
            workers.push_back(std::move(w));
        }
        for (auto& w : workers)
            for (auto& t : w->tcp) tcp_limits.listeners.push_back(t.get());
        if (loaded.config.metrics_listen) {
            const auto& ep = *loaded.config.metrics_listen;
            binding = &ep;
            metrics_server = std::make_shared<metrics::HttpServer>(
                control, asio::ip::tcp::endpoint(ep.address(), ep.port()),
                [&] { return registry.render(control_plane.current()); });
            metrics_server->start();
            log::info("metrics on http://" + host_port(ep.address(), ep.port()) + "/metrics");
        }
    } catch (const boost::system::system_error& e) {
        log::error("cannot listen on " + host_port(binding->address(), binding->port()) + ": " +
                   e.code().message());
        return 1;
    }

    if (root && !loaded.config.user.empty()) {
        if (auto error = drop_privileges(loaded.config.user, loaded.config.group); !error.empty()) {
            log::error(error);
            return 1;
        }
        log::info("running as user " + loaded.config.user);
        std::vector<std::string> files{loaded.config.file};
        files.insert(files.end(), loaded.config.zone_files.begin(), loaded.config.zone_files.end());
        if (loaded.config.geoip) files.push_back(loaded.config.geoip->database);
        for (const auto& why : unreadable(files))
            log::warning("reloads will fail: user " + loaded.config.user + " cannot read " + why);
    }

    std::string where;
    for (const auto& ep : listen)
        where += (where.empty() ? "" : " ") + host_port(ep.address(), ep.port());
    log::info("srvd " SRVD_VERSION " serving " + summary(loaded) + " on " + where +
              " (udp, tcp) with " + std::to_string(threads) + " worker(s)");

    for (auto& w : workers) {
        for (auto& u : w->udp) u->start();
        for (auto& t : w->tcp) t->start();
        w->thread = std::thread([&io = w->io] { io.run(); });
    }
    control_plane.start(loaded);

    std::function<void(boost::system::error_code, int)> on_signal =
        [&](boost::system::error_code ec, int signal) {
            if (ec) return;
            if (signal == SIGHUP) {
                control_plane.reload();
                signals.async_wait(on_signal);
                return;
            }
            log::info("stopping");
            control_plane.stop();
            if (metrics_server) metrics_server->close();
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

} // namespace srvd::server
