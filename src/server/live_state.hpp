#pragma once
// One live state per media server: what its probe says and whether an
// operator drained it, kept apart (a drained server can be healthy), and
// published as one immutable value. The control thread publishes a new
// value on each change; the change worker builds answers from the value it
// takes when a rebuild starts, so a change made during a rebuild is never
// lost: it comes with a higher version and another rebuild. Metrics and
// `srvd ctl status` read the same value.
#include "health/health_table.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace srvd::server {

struct LiveState {
    std::uint64_t version = 0;
    health::HealthTable health;
    std::set<std::pair<std::string, std::string>> drained; // (zone, media server label)

    // What a zone's answers are built with, in policy order: a drained
    // server leaves answers as a down one does.
    // `assume`: probes' states taken as given (a standby prepared ahead).
    std::vector<health::ServerState>
    answer_states(const config::ZonePolicy& zone,
                  std::span<const health::HealthTable::Assumed> assume = {}) const {
        return answer_states(zone, health::zone_targets(zone), assume);
    }
    // The same with the zone's probes worked out already.
    std::vector<health::ServerState>
    answer_states(const config::ZonePolicy& zone, const health::ZoneTargets& targets,
                  std::span<const health::HealthTable::Assumed> assume = {}) const {
        auto out = health.states(targets, assume);
        for (std::size_t i = 0; i < zone.media_servers.size() && i < out.size(); ++i)
            if (drained.count({zone.zone, zone.media_servers[i].label}))
                out[i] = health::ServerHealth::down;
        return out;
    }
};

// Shared between the control thread (writes) and the change worker (reads);
// never on the packet path.
class LiveStateHolder {
  public:
    std::shared_ptr<const LiveState> get() const {
        std::lock_guard lock(mutex_);
        return current_;
    }
    // Publishes `next` with the next version; returns that version.
    std::uint64_t publish(LiveState next) {
        std::lock_guard lock(mutex_);
        next.version = current_->version + 1;
        current_ = std::make_shared<const LiveState>(std::move(next));
        return current_->version;
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const LiveState> current_ = std::make_shared<const LiveState>();
};

} // namespace srvd::server
