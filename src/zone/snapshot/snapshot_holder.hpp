#pragma once
// Publishes the current snapshot to the workers. A reload swaps it under a
// mutex; workers read an atomic generation per batch and take the mutex only
// when it changed, so the packet path takes no lock in the steady state.
// A replaced snapshot is kept here until no worker holds it, and freed by
// collect() on the control plane's change worker: freeing hundreds of
// megabytes must not stall the worker that happened to drop it last.
#include "config/server_config.hpp"
#include "zone/snapshot/snapshot.hpp"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <memory>
#include <mutex>
#include <vector>

namespace srvd::zone {

class SnapshotHolder {
  public:
    void publish(std::shared_ptr<const Snapshot> snapshot) {
        std::lock_guard lock(mutex_);
        if (current_) retired_.push_back(std::move(current_));
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

    // Frees, on the calling thread, the replaced snapshots nothing else
    // holds any more (workers let go at their next batch or idle wake, TCP
    // sessions at their next query or close). Returns how many it freed.
    std::size_t collect() {
        std::vector<std::shared_ptr<const Snapshot>> unused;
        {
            std::lock_guard lock(mutex_);
            // A count of 1 is final: only this list holds it, and no new
            // reference can be taken to a snapshot that is not current.
            auto held = std::partition(retired_.begin(), retired_.end(),
                                       [](const auto& s) { return s.use_count() > 1; });
            std::move(held, retired_.end(), std::back_inserter(unused));
            retired_.erase(held, retired_.end());
        }
        return unused.size(); // destroyed here, outside the lock
    }
    bool has_retired() const {
        std::lock_guard lock(mutex_);
        return !retired_.empty();
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const Snapshot> current_;
    std::vector<std::shared_ptr<const Snapshot>> retired_;
    std::shared_ptr<const config::RrlConfig> rrl_ = std::make_shared<const config::RrlConfig>();
    std::atomic<std::uint64_t> generation_{0};
};

} // namespace srvd::zone
