#include "server/standby_filler.hpp"

#include "health/health_table.hpp"
#include "util/log.hpp"
#include "zone/model/health_ordering.hpp"
#include "zone/model/zone_builder.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>

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
    // Per probe, the zones that change when it goes down (or, for one down
    // now, when it comes back), in zone order: a budget too small for all
    // still covers some servers' whole platform rather than a little of
    // every server's; every failure before any return (a server coming
    // back or undrained only adds capacity; one going down is an outage
    // until served); pairs of failures last (a rack or a switch takes two).
    // One pass over the zones and their servers, not one per probe.
    std::map<std::string, std::vector<Task>> failures, returns, pairs;
    const auto& zones = served_->zones;
    for (std::size_t i = 0; i < zones.size(); ++i) {
        const zone::ZoneData& z = *zones[i].data;
        const auto add = [&](std::vector<Task>& to, std::vector<health::ServerState> states) {
            if (!zone::same_health(z.health, states) && !standby_.find(z, states))
                to.push_back({i, std::move(states)});
        };
        const health::ZoneTargets targets = health::zone_targets(z.policy);
        std::set<std::string> probes; // a probe may serve two labels
        for (const auto& of_server : targets)
            for (const auto& t : of_server) probes.insert(t.key);
        std::vector<std::string> up; // probes that may fail next
        for (const std::string& key : probes) {
            const auto now = live.health.by_probe.find(key);
            const bool down =
                now != live.health.by_probe.end() && now->second == health::ServerHealth::down;
            const health::HealthTable::Assumed next[] = {
                {key, down ? health::ServerHealth::up : health::ServerHealth::down}};
            add((down ? returns : failures)[key], live.answer_states(z.policy, targets, next));
            if (!down) up.push_back(key);
        }
        if (probes.size() <= pairs_up_to)
            for (std::size_t a = 0; a < up.size(); ++a)
                for (std::size_t b = a + 1; b < up.size(); ++b) {
                    const health::HealthTable::Assumed both[] = {
                        {up[a], health::ServerHealth::down}, {up[b], health::ServerHealth::down}};
                    add(pairs[up[a] + "\n" + up[b]], live.answer_states(z.policy, targets, both));
                }
        // An undrain: the server's probed state again (with or without health:).
        const auto& servers = z.policy.media_servers;
        std::vector<health::ServerState> served, probed; // worked out once a server is drained
        for (std::size_t m = 0; m < servers.size(); ++m) {
            if (!live.drained.count({z.policy.zone, servers[m].label})) continue;
            if (served.empty()) {
                served = live.answer_states(z.policy, targets);
                probed = live.health.states(targets);
            }
            auto states = served;
            states[m] = probed[m];
            add(returns["undrain " + servers[m].label], std::move(states));
        }
    }
    // tasks_ is taken from the back.
    for (auto* by_probe : {&pairs, &returns, &failures})
        for (auto probe = by_probe->rbegin(); probe != by_probe->rend(); ++probe)
            for (auto task = probe->second.rbegin(); task != probe->second.rend(); ++task)
                tasks_.push_back(std::move(*task));
}

void StandbyFiller::step() {
    scheduled_ = false;
    if (stale_) {
        drop_stale();
        schedule();
        return;
    }
    if (standby_.has_forgotten()) { // a few per step: a job waits for one step at most
        standby_.free(free_per_step);
        schedule();
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
            auto data = zone::build_zone(
                from.data->policy,
                {.health = task.states, .signed_as = from.data.get(), .served = from.data.get()});
            auto compiled = zone::compile_zone(*data, from.compiled.get());
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
