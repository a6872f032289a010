#pragma once
// Open files: what srvd needs at most, and the limit it runs under. Out of
// descriptors, accepts fail and probes cannot open sockets; srvd raises its
// soft limit to the hard one at start, and says when even that cannot fit
// its configuration, rather than discovering it under load.
#include "config/server_config.hpp"
#include "zone/snapshot/snapshot.hpp"

#include <cstdint>
#include <string>

namespace srvd::server {

// Raises the soft RLIMIT_NOFILE to the hard one; returns the limit now in force.
std::uint64_t raise_open_file_limit();
// The hard limit: what serve will raise to.
std::uint64_t open_file_hard_limit();

// Descriptors a configuration may hold at once: per worker and address a
// UDP and a TCP socket, every TCP client, one probe socket per probed media
// server, the control socket and /metrics with their clients, and a margin
// for files read at reload.
std::uint64_t descriptors_needed(const config::ServerConfig& config, const zone::Snapshot& snapshot,
                                 unsigned threads, std::size_t addresses);

// A warning when `needed` does not fit `limit`; empty when it does.
std::string descriptor_shortfall(const config::ServerConfig& config, std::uint64_t needed,
                                 std::uint64_t limit);

} // namespace srvd::server
