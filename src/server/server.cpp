#include "server/server.hpp"

#include "config/load_error.hpp"
#include "dns/name.hpp"
#include "explain/explain.hpp"
#include "explain/failover_drill.hpp"
#include "metrics/http_server.hpp"
#include "net/address_in_use.hpp"
#include "net/udp_listener.hpp"
#include "server/control.hpp"
#include "server/control_socket.hpp"
#include "server/descriptor_budget.hpp"
#include "server/guarded_run.hpp"
#include "server/privileges.hpp"
#include "util/host_port.hpp"
#include "util/log.hpp"
#include "util/sd_notify.hpp"
#include "zone/snapshot/load_warnings.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <optional>
#include <sstream>

namespace srvd::server {
namespace asio = boost::asio;

// A worker: one thread running TCP (and its timers) in an io_context, and
// one thread per UDP socket blocking in recvmmsg (net/udp_listener.hpp). Each
// UDP thread counts in counters of its own: a counter has one writer.
struct Server::Worker {
    asio::io_context io{1}; // one thread per context: no internal locking needed
    std::vector<std::unique_ptr<net::UdpListener>> udp;
    std::vector<std::shared_ptr<net::TcpListener>> tcp;
    std::thread thread;
    std::vector<std::thread> udp_threads;
};

Server::Server(ServeOptions options)
    : options_(std::move(options)), signals_(control_, SIGINT, SIGTERM, SIGHUP),
      transfers_work_(transfers_.get_executor()) {}

Server::~Server() {
    transfers_work_.reset();
    transfers_.stop();
    if (transfer_thread_.joinable()) transfer_thread_.join();
}

bool Server::bind() {
    try {
        // state_dir first: loading writes automatic serials in it (as root
        // still), and the user srvd becomes must own a directory made now.
        const config::ServerConfig c = config::load_server_config(options_.config_path);
        if (auto error = prepare_state_dir(c.transfer.state_dir, c.user, c.group); !error.empty())
            log::warning(error);
    } catch (const std::exception&) {
        // reported by the load below, with every other error
    }
    try {
        loaded_ = changes_.run([&] {
            return zone::load_all(options_.config_path, {.previous = nullptr, .write_state = true});
        });
    } catch (const config::LoadError& e) {
        for (const auto& line : config::error_lines(e)) log::error(line); // a log line each
        return false;
    } catch (const std::exception& e) {
        log::error(e.what());
        return false;
    }
    apply_log_level(loaded_.config);
    for (const auto& warning : zone::load_warnings(loaded_)) log::warning(warning);
    if (::geteuid() == 0 && loaded_.config.user.empty() && !options_.allow_root) {
        log::error("refusing to run as root: set `user:` in " + loaded_.config.file +
                   " (srvd binds its sockets, then switches), or pass --allow-root");
        return false;
    }
    listen_ = options_.listen_override.empty() ? loaded_.config.listen : options_.listen_override;
    threads_ = loaded_.config.threads ? loaded_.config.threads
                                      : std::max(1u, std::thread::hardware_concurrency());
    holder_.publish(loaded_.snapshot);
    holder_.publish_rrl(loaded_.config.rrl);
    tcp_limits_.max_clients = loaded_.config.limits.tcp_clients;
    tcp_limits_.max_per_prefix = loaded_.config.limits.tcp_clients_per_prefix;
    signing_->set_rates(loaded_.config.limits.signatures_per_second,
                        loaded_.config.limits.signatures_per_tcp_client);
    tcp_limits_.idle_timeout = loaded_.config.limits.tcp_idle_timeout;
    registry_.tcp_connections = &tcp_limits_.open;
    control_plane_ = std::make_unique<Control>(control_, changes_, holder_, tcp_limits_, *signing_,
                                               registry_, options_.config_path, loaded_);
    control_plane_->set_listen(listen_);
    const std::uint64_t files = raise_open_file_limit();
    if (const auto why = descriptor_shortfall(
            loaded_.config,
            descriptors_needed(loaded_.config, *loaded_.snapshot, threads_, listen_.size()), files);
        !why.empty())
        log::warning(why);
    if (!check_addresses_free() || !create_listeners()) return false;
    open_control_socket();
    if (loaded_.config.metrics_listen) {
        try {
            start_metrics();
        } catch (const boost::system::system_error& e) {
            const auto& ep = *loaded_.config.metrics_listen;
            log::error("cannot listen on " + host_port(ep.address(), ep.port()) + ": " +
                       e.code().message());
            return false;
        }
    }
    return true;
}

// Every address is checked before any is bound: the workers' own
// SO_REUSEPORT sockets must not make the check see srvd itself.
bool Server::check_addresses_free() const {
    for (const auto& ep : listen_) {
        if (auto why = net::address_in_use(ep); !why.empty()) {
            log::error("cannot listen on " + host_port(ep.address(), ep.port()) + ": " + why);
            return false;
        }
    }
    return true;
}

bool Server::create_listeners() {
    for (unsigned i = 0; i < threads_; ++i) {
        auto w = std::make_unique<Worker>();
        metrics::WorkerCounters& tcp_counters = registry_.add_counters();
        for (const auto& ep : listen_) {
            try {
                w->udp.push_back(std::make_unique<net::UdpListener>(
                    w->io, ep, holder_, registry_.add_counters(), rrl_table_, signing_));
                w->tcp.push_back(std::make_shared<net::TcpListener>(
                    w->io, asio::ip::tcp::endpoint(ep.address(), ep.port()), holder_, tcp_limits_,
                    tcp_counters, transfers_.get_executor(), signing_));
            } catch (const boost::system::system_error& e) {
                log::error("cannot listen on " + host_port(ep.address(), ep.port()) + ": " +
                           e.code().message());
                return false;
            }
        }
        workers_.push_back(std::move(w));
    }
    for (auto& w : workers_)
        for (auto& t : w->tcp) tcp_limits_.listeners.push_back(t.get());
    return true;
}

void Server::start_metrics() {
    const auto& ep = *loaded_.config.metrics_listen;
    metrics_server_ = std::make_shared<metrics::HttpServer>(
        control_, asio::ip::tcp::endpoint(ep.address(), ep.port()), [this] {
            return registry_.render(control_plane_->current()) + control_plane_->render_metrics();
        });
    metrics_server_->start();
    log::info("metrics on http://" + host_port(ep.address(), ep.port()) + "/metrics");
}

// Without it srvd still serves; only `srvd ctl` cannot reach it.
void Server::open_control_socket() {
    const std::string& path = loaded_.config.control_socket;
    try {
        control_socket_ = std::make_shared<ControlSocket>(
            control_, path, [this](const std::vector<std::string>& w, ReplyTo done) {
                command(w, std::move(done));
            });
        if (::geteuid() == 0)
            control_socket_->set_owner(loaded_.config.user, loaded_.config.control_group.empty()
                                                                ? loaded_.config.group
                                                                : loaded_.config.control_group);
    } catch (const std::exception& e) {
        log::warning("control socket " + path + ": " + e.what() +
                     "; srvd ctl cannot reach this server (set control.socket)");
    }
}

void Server::command(const std::vector<std::string>& words, ReplyTo done) {
    if (words.empty()) return done({2, "expected a command\n"});
    const std::string& what = words[0];
    auto has = [&](const char* flag) {
        return std::find(words.begin() + 1, words.end(), flag) != words.end();
    };
    if (what == "status") return done(control_plane_->status(has("--json")));
    if (what == "reload") return control_plane_->reload(std::move(done));
    if (what == "drain" || what == "undrain") {
        const std::string usage = what + ": expected SERVER [--zone ZONE] [--temporary]" +
                                  (what == "drain" ? " [--wait]" : "") + "\n";
        if (words.size() < 2 || words[1].rfind("--", 0) == 0) return done({2, usage});
        // Every word is understood, or nothing is done: a `--zone` without
        // its value once drained the server in every zone.
        std::string zone;
        bool temporary = false, wait = false;
        for (std::size_t i = 2; i < words.size(); ++i) {
            if (words[i] == "--temporary" || (words[i] == "--wait" && what == "drain")) {
                (words[i] == "--wait" ? wait : temporary) = true;
                continue;
            }
            if (words[i] != "--zone" || i + 1 == words.size() || words[i + 1].rfind("--", 0) == 0)
                return done({2, usage});
            zone = words[++i];
        }
        return control_plane_->drain(words[1], zone, what == "drain", temporary, wait,
                                     std::move(done));
    }
    if (what == "explain" && has("--down")) {
        std::vector<std::string> down, zones;
        std::string error;
        if (!explain::parse_drill_words({words.begin() + 1, words.end()}, down, zones, error))
            return done({2, "explain: " + error + "\n"});
        return control_plane_->drill(std::move(down), std::move(zones), std::move(done));
    }
    if (what == "explain") return done(explain(words));
    if (what == "sign") // knotc zone-sign: new signatures now, due or not
        return control_plane_->renew_signatures(
            std::time(nullptr), dns::absolute(words.size() > 1 ? words[1] : ""), std::move(done));
    done({2, "unknown command '" + what + "' (status, drain, undrain, reload, explain, sign)\n"});
}

// `srvd ctl explain`: `srvd explain` against what this server serves now.
Reply Server::explain(const std::vector<std::string>& words) {
    std::string error;
    const auto question = explain::parse_words({words.begin() + 1, words.end()}, error);
    if (!question) return {2, "explain: " + error + "\n"};
    std::ostringstream out;
    explain::write(out, control_plane_->current(), *question, true);
    return {0, out.str()};
}

bool Server::drop_privileges() {
    const config::ServerConfig& config = loaded_.config;
    if (::geteuid() != 0 || config.user.empty())
        return true; // bind() refused root without --allow-root
    if (auto error = server::drop_privileges(config.user, config.group); !error.empty()) {
        log::error(error);
        return false;
    }
    log::info("running as user " + config.user);
    for (const auto& why : unreadable(files_read_on_reload(loaded_)))
        log::warning("reloads will fail: user " + config.user + " cannot read " + why);
    return true;
}

void Server::start_workers() {
    transfer_thread_ = std::thread(
        [this] { run_guarded(transfers_, "transfer thread", registry_.internal_errors); });
    for (std::size_t i = 0; i < workers_.size(); ++i) {
        Worker& w = *workers_[i];
        const std::string name = "worker " + std::to_string(i + 1);
        for (auto& u : w.udp)
            w.udp_threads.emplace_back([this, u = u.get(), name] {
                run_guarded([u] { u->run(); }, name + " udp", registry_.internal_errors);
            });
        for (auto& t : w.tcp) t->start();
        w.thread =
            std::thread([this, &w, name] { run_guarded(w.io, name, registry_.internal_errors); });
    }
}

void Server::wait_for_signal() {
    signals_.async_wait([this](boost::system::error_code ec, int signal) {
        if (ec) return;
        if (signal != SIGHUP) return stop();
        control_plane_->reload([](const Reply&) {}); // logged; nobody to answer
        wait_for_signal();
    });
}

void Server::stop() {
    asio::post(control_, [this] {
        log::notice("stopping");
        sd::stopping();
        control_plane_->stop();
        if (metrics_server_) metrics_server_->close();
        if (control_socket_) control_socket_->close();
        for (auto& w : workers_) {
            for (auto& u : w->udp) u->close();
            asio::post(w->io, [&w = *w] {
                for (auto& t : w.tcp) t->close();
            });
        }
    });
}

int Server::run() {
    std::string where;
    for (const auto& ep : listen_)
        where += (where.empty() ? "" : " ") + host_port(ep.address(), ep.port());
    log::notice("srvd " SRVD_VERSION " serving " + summary(loaded_) + " on " + where +
                " (udp, tcp) with " + std::to_string(threads_) + " worker(s)");
    for (const auto& line : describe_zones(loaded_, 20)) log::info(line);
    // Drains kept in state_dir are applied before the first query is
    // answered: a restart must not hand out a drained server even briefly.
    control_plane_->start(loaded_);
    const std::string serving = "serving " + summary(loaded_);
    // The control plane and the workers hold it from here on: kept here as
    // well, the first snapshot would outlive every reload that replaces it.
    loaded_.snapshot.reset();
    start_workers();
    if (control_socket_) control_socket_->start();
    // Bound, published, answering: systemd (Type=notify) may start what
    // depends on DNS now.
    sd::ready(serving);
    wait_for_signal();
    // The control loop ends when the workers have; signals keep it alive until then.
    std::thread waiter([this] {
        for (auto& w : workers_) {
            w->thread.join();
            for (auto& t : w->udp_threads) t.join();
        }
        asio::post(control_, [this] { signals_.cancel(); });
    });
    control_.run();
    waiter.join();
    transfers_work_.reset();
    transfer_thread_.join();
    log::notice("stopped");
    return 0;
}

int serve(const ServeOptions& options) {
    Server server(options);
    if (!server.bind() || !server.drop_privileges()) return 1;
    return server.run();
}

} // namespace srvd::server
