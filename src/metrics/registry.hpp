#pragma once
// All counters of a running server, rendered as Prometheus text (DESIGN §7).
#include "metrics/counters.hpp"
#include "zone/snapshot/snapshot.hpp"

#include <atomic>
#include <deque>
#include <string>

namespace srvd::metrics {

class Registry {
  public:
    // One block per thread that counts (a worker's TCP thread, each UDP
    // listener's thread), so that a counter has one writer; addresses stay
    // valid (deque).
    WorkerCounters& add_counters() { return workers_.emplace_back(); }

    std::atomic<std::uint64_t> reloads_succeeded{0}, reloads_failed{0};
    // Exceptions that reached a worker's or the transfer thread's loop.
    std::atomic<std::uint64_t> internal_errors{0};
    std::atomic<std::uint32_t>* tcp_connections = nullptr; // the server-wide count

    // Called on the control thread only.
    std::string render(const zone::Snapshot& current) const;

  private:
    std::deque<WorkerCounters> workers_;
};

} // namespace srvd::metrics
