#pragma once
// Runs the workers and the control loop: one io_context and thread per worker
// (each with its own SO_REUSEPORT sockets), and signals on the main thread.
#include "zone/snapshot_loader.hpp"

#include <string>

namespace srvd::server {

struct ServeOptions {
    std::string config_path;
    std::vector<boost::asio::ip::udp::endpoint> listen_override;
    bool allow_root = false; // run as root without `user:` (tests, containers)
};

// Serves until SIGTERM or SIGINT; SIGHUP reloads. Returns the exit code.
int serve(const ServeOptions& options);

} // namespace srvd::server
