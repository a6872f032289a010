#pragma once
// Publishes the current snapshot to the workers. A reload swaps it under a
// mutex; workers read an atomic generation per batch and take the mutex only
// when it changed, so the packet path takes no lock in the steady state.
#include "zone/snapshot.hpp"

#include <atomic>
#include <memory>
#include <mutex>

namespace srvd::net {

class SnapshotHolder {
  public:
    void publish(std::shared_ptr<const zone::Snapshot> snapshot) {
        std::lock_guard lock(mutex_);
        current_ = std::move(snapshot);
        generation_.fetch_add(1, std::memory_order_release);
    }

    // Refreshes `cached` if a newer snapshot was published since `seen`.
    void refresh(std::shared_ptr<const zone::Snapshot>& cached, std::uint64_t& seen) const {
        const std::uint64_t now = generation_.load(std::memory_order_acquire);
        if (now == seen && cached) return;
        std::lock_guard lock(mutex_);
        cached = current_;
        seen = generation_.load(std::memory_order_relaxed);
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const zone::Snapshot> current_;
    std::atomic<std::uint64_t> generation_{0};
};

} // namespace srvd::net
