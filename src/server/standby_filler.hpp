#pragma once
// Fills zone::Standby on the change worker while it has nothing else to do:
// for each probed media server, every zone whose answers change when it goes
// down (or comes back, for one down now; or is undrained, for one drained),
// then with two of them down (zones of at most `pairs_up_to` probes), built
// and compiled that way, one zone per step, failures first, until the
// memory budget (`limits.standby_memory`) is spent. After a change, what is
// still one change away is kept (adopt), so a second failure soon after the
// first finds its pair prepared. A drain meets what was prepared for its
// server's failure (a drained server answers as a down one). A job
// submitted meanwhile (a reload, a drain, the health change itself) waits
// for one step at most: the compile of one zone. Zones larger than what is
// left of the budget are not prepared: their health changes compile as
// before.
#include "server/change_worker.hpp"
#include "server/live_state.hpp"
#include "zone/snapshot/standby.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace srvd::server {

class StandbyFiller {
  public:
    // `budget`: bytes (limits.standby_memory).
    StandbyFiller(ChangeWorker& worker, const LiveStateHolder& live, std::size_t budget)
        : worker_(worker), live_(live), budget_(budget) {}

    // On the change worker, whenever the snapshot or the live state may have
    // changed: drops what `served` made useless and prepares for it.
    void refresh(std::shared_ptr<const zone::Snapshot> served);
    // On the change worker: what `zone` becomes with `states`, if prepared.
    const zone::ZoneEntry* find(const zone::ZoneData& zone,
                                const std::vector<health::ServerState>& states) const {
        return standby_.find(zone, states);
    }

    // On the change worker, after a health rebuild published `now` in place
    // of `was`: what is still one change away is kept for `now`.
    void adopt(const zone::ZoneEntry& was, std::shared_ptr<const zone::ZoneData> now) {
        if (budget_ == 0) return;
        standby_.adopt(was, std::move(now), budget_);
        count();
    }

    // Any thread: a new limits.standby_memory, applied on the change worker.
    void set_budget(std::size_t bytes);
    std::size_t zones() const { return zones_; }
    std::size_t memory() const { return memory_; }

    // Pairs of failures are prepared in zones with at most this many
    // probes: planning them costs a state vector per pair.
    static constexpr std::size_t pairs_up_to = 8;
    // Zones forgotten (a change made them useless) freed per step: about a
    // millisecond's work for partner-sized zones.
    static constexpr std::size_t free_per_step = 16;

  private:
    struct Task {
        std::size_t zone; // index in served_->zones
        std::vector<health::ServerState> states;
    };
    void plan(const LiveState& live);
    void step();
    void schedule();
    void count();
    void drop_stale();

    ChangeWorker& worker_;
    const LiveStateHolder& live_;
    // The rest is the change worker's.
    zone::Standby standby_;
    std::shared_ptr<const zone::Snapshot> served_;
    std::vector<Task> tasks_; // the last is done first
    bool planned_ = false;    // tasks_ is for served_ and live state planned_version_
    std::uint64_t planned_version_ = 0;
    bool scheduled_ = false;
    bool stale_ = false; // served_ changed since the standby was last pruned
    std::atomic<std::size_t> budget_;
    std::atomic<std::size_t> zones_{0}, memory_{0};
};

} // namespace srvd::server
