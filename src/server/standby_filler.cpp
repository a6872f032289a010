#include "server/standby_filler.hpp"

#include "util/log.hpp"
#include "zone/model/health_ordering.hpp"
#include "zone/model/zone_builder.hpp"

#include <algorithm>

namespace srvd::server {

void StandbyFiller::refresh(std::shared_ptr<const zone::Snapshot> served) {
    // What was prepared for the old state is dropped by the next step, not
    // here: freeing thousands of prepared zones takes a while, and the job
    // that published (a health change) must not wait for it to answer.
    served_ = std::move(served);
    stale_ = true;
    planned_ = false; // its tasks index the zones of the snapshot before
    schedule();
}

void StandbyFiller::drop_stale() {
    stale_ = false;
    if (budget_ == 0 || standby_.memory() > budget_) // lowered: begin again within it
        standby_.clear();
    else
        standby_.keep_only(*served_);
    count();
}

void StandbyFiller::set_budget(std::size_t bytes) {
    budget_ = bytes;
    worker_.post([this] {
        if (served_) refresh(served_);
    });
}

void StandbyFiller::schedule() {
    if (scheduled_) return;
    scheduled_ = true;
    worker_.post([this] { step(); });
}

void StandbyFiller::count() {
    zones_ = standby_.zones();
    memory_ = standby_.memory();
}

void StandbyFiller::plan(const LiveState& live) {
    tasks_.clear();
    planned_ = true;
    planned_version_ = live.version;
    const auto& zones = served_->zones;
    // Failures one by one, so a budget too small for all still covers some
    // servers' whole platform rather than a little of every server's.
    const auto next = live.next_failures();
    for (auto failure = next.rbegin(); failure != next.rend(); ++failure)
        for (std::size_t i = zones.size(); i-- > 0;) {
            const zone::ZoneData& z = *zones[i].data;
            if (!z.policy.health) continue;
            auto states = failure->answer_states(z.policy);
            if (zone::same_health(z.health, states) || standby_.find(z, states)) continue;
            tasks_.push_back({i, std::move(states)});
        }
}

void StandbyFiller::step() {
    scheduled_ = false;
    if (stale_) {
        drop_stale();
        schedule();
        return;
    }
    if (budget_ == 0) return;
    const auto live = live_.get();
    if (!planned_ || planned_version_ != live->version) plan(*live);
    if (tasks_.empty()) return;
    const Task task = std::move(tasks_.back());
    tasks_.pop_back();
    const zone::ZoneEntry& from = served_->zones[task.zone];
    // A prepared zone costs about what the served one does; its compiled
    // answers alone (cheap to size) rule out a zone far over the budget
    // before its records are counted.
    const std::size_t room = budget_ - std::min<std::size_t>(budget_, standby_.memory());
    if (from.compiled->memory() <= room && zone::approximate_memory(from) <= room) {
        try {
            auto data = zone::build_zone(from.data->policy, task.states, from.data.get());
            auto compiled = zone::compile_zone(*data);
            standby_.add(from.data, {std::move(data), std::move(compiled)});
            count();
        } catch (const std::exception& e) {
            // The health change itself will meet (and log) the same error.
            log::debug("standby: " + from.data->policy.zone + ": " + e.what());
        }
    }
    schedule();
}

} // namespace srvd::server
