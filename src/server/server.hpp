#pragma once
// A running srvd: the workers (one io_context and thread each, with their
// own SO_REUSEPORT sockets), the transfer thread, and the control loop on
// the main thread (signals, reloads, health checks, metrics).
#include "metrics/registry.hpp"
#include "net/tcp_listener.hpp"
#include "query/rate_limiter.hpp"
#include "query/signing_budget.hpp"
#include "server/change_worker.hpp"
#include "server/reply.hpp"
#include "zone/snapshot/snapshot_holder.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace srvd::metrics {
class HttpServer;
}

namespace srvd::server {

class Control;
class ControlSocket;

struct ServeOptions {
    std::string config_path;
    std::vector<boost::asio::ip::udp::endpoint> listen_override;
    bool allow_root = false; // run as root without `user:` (tests, containers)
};

class Server {
  public:
    explicit Server(ServeOptions options);
    ~Server();

    // Loads the configuration and binds every listen address (each checked
    // first for another process serving it). False, logged, when it cannot,
    // or when root would stay root (no `user:`, no --allow-root).
    bool bind();
    // Like NSD and Knot: started as root, run as `user:` once bound. False,
    // logged, on failure.
    bool drop_privileges();
    // Serves until stop(), SIGTERM or SIGINT; SIGHUP reloads. The exit code.
    int run();
    // Closes every socket; run() returns once the workers have finished.
    void stop();

  private:
    struct Worker;
    bool check_addresses_free() const;
    bool create_listeners();
    void start_metrics();
    void start_workers();
    void wait_for_signal();
    void open_control_socket();
    // What `srvd ctl` asked for, on the control thread.
    void command(const std::vector<std::string>& words, ReplyTo done);
    Reply explain(const std::vector<std::string>& words);

    ServeOptions options_;
    // Signals are caught from the first moment: a SIGTERM while zones load or
    // sockets bind waits for the loop and stops it cleanly (exit 0) instead
    // of killing the process with the default action.
    boost::asio::io_context control_;
    boost::asio::signal_set signals_;
    zone::Loaded loaded_;
    std::vector<boost::asio::ip::udp::endpoint> listen_;
    unsigned threads_ = 1;
    zone::SnapshotHolder holder_;
    net::TcpLimits tcp_limits_;
    std::shared_ptr<query::RrlTable> rrl_table_ = std::make_shared<query::RrlTable>();
    std::shared_ptr<query::SigningQuota> signing_ = std::make_shared<query::SigningQuota>();
    metrics::Registry registry_;
    std::vector<std::unique_ptr<Worker>> workers_;
    // Builds zone transfers off the workers. Declared after them, so it is
    // stopped and joined while their io_contexts, which it posts results to,
    // still exist.
    boost::asio::io_context transfers_{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> transfers_work_;
    std::thread transfer_thread_;
    // Where every snapshot is made, the first one included (ChangeWorker::run).
    ChangeWorker changes_{control_};
    std::unique_ptr<Control> control_plane_;
    std::shared_ptr<metrics::HttpServer> metrics_server_;
    std::shared_ptr<ControlSocket> control_socket_;
};

// bind, drop_privileges, run: the `serve` command. Returns the exit code.
int serve(const ServeOptions& options);

} // namespace srvd::server
