#pragma once
// Publishes the current snapshot to the workers. A reload swaps it under a
// mutex; workers read an atomic generation per batch and take the mutex only
// when it changed, so the packet path takes no lock in the steady state.
#include "config/server_config.hpp"
#include "zone/snapshot.hpp"

#include <atomic>
#include <memory>
#include <mutex>

namespace srvd::zone {

class SnapshotHolder {
  public:
    void publish(std::shared_ptr<const Snapshot> snapshot) {
        std::lock_guard lock(mutex_);
        current_ = std::move(snapshot);
        generation_.fetch_add(1, std::memory_order_release);
    }

    // Rate limiting as a reload sets it; the workers pick it up like a snapshot.
    void publish_rrl(const config::RrlConfig& rrl) {
        auto next = std::make_shared<const config::RrlConfig>(rrl);
        std::lock_guard lock(mutex_);
        rrl_ = std::move(next);
        generation_.fetch_add(1, std::memory_order_release);
    }

    // Refreshes `cached` (and `rrl`, when given) if anything was published
    // since `seen`. Returns whether it did.
    bool refresh(std::shared_ptr<const Snapshot>& cached, std::uint64_t& seen,
                 std::shared_ptr<const config::RrlConfig>* rrl = nullptr) const {
        const std::uint64_t now = generation_.load(std::memory_order_acquire);
        if (now == seen && cached) return false;
        std::lock_guard lock(mutex_);
        cached = current_;
        if (rrl) *rrl = rrl_;
        seen = generation_.load(std::memory_order_relaxed);
        return true;
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const Snapshot> current_;
    std::shared_ptr<const config::RrlConfig> rrl_ = std::make_shared<const config::RrlConfig>();
    std::atomic<std::uint64_t> generation_{0};
};

} // namespace srvd::zone
