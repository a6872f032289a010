#include "server/control.hpp"

#include "config/load_error.hpp"
#include "dns/name.hpp"
#include "explain/failover_drill.hpp"
#include "util/iso_time.hpp"
#include "util/log.hpp"
#include "util/sd_notify.hpp"
#include "zone/model/answer_diff.hpp"
#include "zone/model/health_ordering.hpp"
#include "zone/model/zone_builder.hpp"
#include "zone/snapshot/load_warnings.hpp"
#include "zone/snapshot/snapshot_diff.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>

#include <malloc.h>
#include <sstream>
#include <utility>

namespace srvd::server {

std::string summary(const zone::Loaded& loaded) {
    return std::to_string(loaded.snapshot->zones.size()) + " zone(s), " +
           std::to_string(loaded.snapshot->names.size()) + " names, " +
           std::to_string(loaded.snapshot->memory() / 1024) + " KiB compiled in " +
           std::to_string(loaded.load_time.count()) + " ms";
}

std::vector<std::string> describe_zones(const zone::Loaded& loaded, std::size_t at_most) {
    std::vector<std::string> lines;
    const auto& zones = loaded.snapshot->zones;
    for (std::size_t i = 0; i < zones.size() && i < at_most; ++i) {
        const config::ZonePolicy& p = zones[i].data->policy;
        std::string health = "no health checks";
        if (p.health)
            health = "health checks (" +
                     std::string(p.health->probe == config::HealthConfig::Probe::tcp_connect
                                     ? "tcp-connect"
                                     : "sip-options") +
                     ") every " + std::to_string(p.health->interval_ms) + " ms";
        lines.push_back("zone " + p.zone + " serial " + std::to_string(p.soa.serial) + ", " +
                        std::to_string(p.media_servers.size()) + " media server(s), " +
                        std::to_string(p.proxies.size()) + " prox" +
                        (p.proxies.size() == 1 ? "y" : "ies") + ", " + health);
    }
    if (zones.size() > at_most)
        lines.push_back("and " + std::to_string(zones.size() - at_most) + " more zone(s)");
    lines.push_back(loaded.config.geoip
                        ? "geoip " + loaded.config.geoip->database +
                              (loaded.config.geoip->ecs ? ", ECS on" : ", ECS off")
                        : "geoip: none (every client gets its zone's default region)");
    return lines;
}

void apply_log_level(const config::ServerConfig& config) {
    log::Level level;
    if (log::parse_level(config.log_level, level)) log::set_level(level);
}

namespace {

std::vector<const config::ZonePolicy*> policies(const zone::Snapshot& snapshot) {
    std::vector<const config::ZonePolicy*> out;
    for (const auto& z : snapshot.zones) out.push_back(&z.data->policy);
    return out;
}

} // namespace

Control::Control(boost::asio::io_context& io, ChangeWorker& changes, zone::SnapshotHolder& holder,
                 net::TcpLimits& tcp_limits, query::SigningQuota& signing,
                 metrics::Registry& registry, std::string config_path, const zone::Loaded& loaded)
    : control_io_(io), changes_(changes), holder_(holder), tcp_limits_(tcp_limits),
      signing_(signing), registry_(registry), config_path_(std::move(config_path)),
      running_(loaded.config), current_(loaded.snapshot), base_(loaded.snapshot), notifier_(io),
      monitor_(io,
               [this] {
                   if (!stopped_) request_rebuild(publish_live());
               }),
      renewal_(io), collect_(io) {
    last_reload_.time =
        std::chrono::duration_cast<std::chrono::seconds>(started_.time_since_epoch()).count();
}

void Control::start(const zone::Loaded& loaded) {
    send_notifies(loaded);
    flusher_.configure(running_.resolvers);
    try {
        drains_.load(running_.transfer.state_dir);
    } catch (const std::exception& e) {
        log::error(std::string("drains: ") + e.what() + "; starting without drains");
    }
    for (const auto& [zone, server] : drains_.all())
        log::notice("drain: " + zone + " " + server + " stays drained (kept in " +
                    running_.transfer.state_dir + "/drains)");
    publish_live();
    // Here, not on the change worker: the workers start after this, and
    // must not hand out a drained server even once.
    if (!drains_.all().empty()) log::info(rebuild(*live_.get()).line);
    current_ = base_;
    monitor_.configure(policies(*current_));
    publish_live();
    changes_.post([this] { standby_.refresh(base_); });
    schedule_renewal();
    schedule_collect();
}

void Control::schedule_collect() {
    collect_.expires_after(std::chrono::seconds(1));
    collect_.async_wait([this](const boost::system::error_code& error) {
        if (error || stopped_) return;
        if (holder_.has_retired())
            changes_.submit([this]() -> std::function<void()> {
                // glibc keeps freed memory in its arenas (the change
                // worker's among them) unless asked: a reload would
                // otherwise leave the old snapshot's size resident. Not
                // after a health or drain change: the next one, and the
                // standby's refill, reuse that memory at once, where pages
                // handed back must be faulted in again (trimmed after each,
                // a change compiling 1,000 zones took 570 ms, not 300).
                if (holder_.collect() > 0 && std::exchange(trim_due_, false)) ::malloc_trim(0);
                return [] {};
            });
        schedule_collect();
    });
}

std::uint64_t Control::publish_live() {
    return live_.publish({0, monitor_.table(), drains_.all()});
}

void Control::request_rebuild(std::uint64_t seen, std::function<void()> then) {
    if (then) waiting_.emplace(seen, std::move(then));
    if (rebuild_queued_.exchange(true)) return; // the queued rebuild will see this change
    changes_.submit([this] {
        rebuild_queued_ = false; // a change from now on queues another rebuild
        const auto live = live_.get();
        Rebuilt done = rebuild(*live);
        standby_.refresh(base_); // the next failure, from this state
        return [this, done = std::move(done), version = live->version, snapshot = base_] {
            if (stopped_) return;
            current_ = snapshot;
            log::info(done.line);
            flusher_.flush(done.flush); // answers without the server are out: caches next
            auto end = waiting_.upper_bound(version);
            for (auto it = waiting_.begin(); it != end; ++it) it->second();
            waiting_.erase(waiting_.begin(), end);
        };
    });
}

namespace {

// The longest TTL of a proxy answer that lists `server` in `zone` (its
// NAPTR, SRV and A/AAAA have the proxy's TTL; its negative answers no more).
std::uint32_t longest_ttl_listing(const config::ZonePolicy& zone, const std::string& server) {
    std::uint32_t ttl = 0;
    for (const auto& proxy : zone.proxies)
        for (const auto& ordering : proxy.orderings)
            for (const auto& tier : ordering)
                for (const auto& member : tier)
                    if (zone.media_servers[member.server].label == server)
                        ttl = std::max(ttl, proxy.ttl);
    return ttl;
}

} // namespace

void Control::drain(const std::string& server, const std::string& zone_name, bool on,
                    bool temporary, bool wait, ReplyTo done) {
    std::vector<std::string> zones;
    std::uint32_t ttl = 0;
    const std::string fqdn_zone = dns::absolute(zone_name);
    for (const auto& z : current_->zones) {
        const config::ZonePolicy& p = z.data->policy;
        if (!fqdn_zone.empty() && p.zone != fqdn_zone) continue;
        for (const auto& ms : p.media_servers)
            if (ms.label == server) {
                zones.push_back(p.zone);
                ttl = std::max(ttl, longest_ttl_listing(p, server));
            }
    }
    if (zones.empty())
        return done({1, "no media server " + server +
                            (fqdn_zone.empty() ? " in any zone" : " in zone " + fqdn_zone) + "\n"});
    std::string text;
    for (const auto& z : zones) {
        const bool changed = on ? drains_.add(z, server) : drains_.remove(z, server);
        if (changed && on) drain_times_[{z, server}].since = std::chrono::system_clock::now();
        if (!on) drain_times_.erase({z, server});
        const std::string line = std::string(on ? "drained " : "undrained ") + z + " " + server +
                                 (changed ? ""
                                  : on    ? " (already drained)"
                                          : " (was not drained)");
        if (changed) log::notice("ctl: " + line);
        text += line + "\n";
    }
    int status = 0;
    if (auto error = drains_.save(); !error.empty()) {
        // In force now all the same (a maintenance must not wait on a
        // state_dir), but a restart would undo it: a script must hear that.
        log::error("drains: cannot keep them: " + error);
        text +=
            "not kept across restarts: " + error +
            (temporary ? "\n" : "; in force until srvd restarts (--temporary: that is intended)\n");
        status = temporary ? 0 : 1;
    }
    // The reply waits for answers without (or with) the server.
    request_rebuild(publish_live(), [this, done = std::move(done), status, text, on, wait, zones,
                                     server, ttl]() mutable {
        if (!on) return done({status, text});
        // From this publish on no answer lists it: caches let it go within the TTL.
        // In whole seconds, rounded up: `unix N` must not let a script go early.
        const std::chrono::system_clock::time_point clear_at =
            std::chrono::ceil<std::chrono::seconds>(std::chrono::system_clock::now() +
                                                    std::chrono::seconds(ttl));
        for (const auto& z : zones) { // drained before: caches cleared since the first
            auto& clear = drain_times_[{z, server}].caches_clear;
            clear = std::min(clear.value_or(clear_at), clear_at);
        }
        if (!wait) return done({status, text}); // status shows when caches clear
        text += "caches clear at " + iso_time(clear_at) + " (unix " +
                std::to_string(std::chrono::system_clock::to_time_t(clear_at)) +
                "): the longest TTL of the answers that listed " + server + ", " +
                std::to_string(ttl) + " s\n";
        if (!flusher_.enabled()) return done({status, text});
        flusher_.when_idle([done = std::move(done), status, text](const std::string& resolvers) {
            done({status, text + resolvers});
        });
    });
}

void Control::publish(std::shared_ptr<const zone::Snapshot> snapshot, bool whole) {
    trim_due_ |= whole;
    base_ = std::move(snapshot);
    holder_.publish(base_);
    standby_.refresh(base_);
}

void Control::send_notifies(const zone::Loaded& loaded) {
    // The targets from the snapshot, not loaded.config: a renewal or `ctl
    // sign` makes a Loaded with no config of its own, and its NOTIFYs went
    // nowhere (secondaries kept the old signatures until their refresh).
    for (const auto& [zone, serial] : loaded.notify)
        notifier_.notify(loaded.snapshot->transfer, zone, serial);
}

namespace {

// Logs a zone's media servers all going down (what its answers do then),
// and the first coming back.
void log_fallback(const config::ZonePolicy& zone, const std::vector<health::ServerState>& before,
                  const std::vector<health::ServerState>& after) {
    const char* was = zone::all_down_fallback(zone, before);
    const char* is = zone::all_down_fallback(zone, after);
    if (is && !was) log::warning("health: zone " + zone.zone + ": " + is);
    if (was && !is)
        log::notice("health: zone " + zone.zone + ": a media server is back, fallback over");
}

// Past this many changed names in a zone, resolvers drop the zone whole:
// one command instead of hundreds (Unbound opens a connection per command).
constexpr std::size_t flush_zone_after = 16;
// Past this many in all (a server that a thousand partner zones share:
// 9,000 names), every changed zone is dropped whole: a command per zone.
constexpr std::size_t flush_zones_after = 64;

// The names whose answers differ between two builds of a zone.
void add_flush_items(const zone::ZoneData& before, const zone::ZoneData& after,
                     std::vector<flush::FlushItem>& out) {
    std::set<std::string> names;
    for (const auto& change : zone::answer_changes(before, after)) names.insert(change.name);
    if (names.size() > flush_zone_after) {
        out.push_back({before.policy.zone, true});
        return;
    }
    for (const auto& name : names) out.push_back({name, false});
}

} // namespace

Control::Rebuilt Control::rebuild(const LiveState& live) {
    try {
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::shared_ptr<const zone::ZoneData>> zones;
        std::vector<zone::ZoneEntry> ahead; // taken from the standby, compiled already
        std::vector<std::pair<const zone::ZoneEntry*, std::size_t>> changed; // before, at in zones
        for (const auto& z : base_->zones) {
            auto states = live.answer_states(z.data->policy);
            if (zone::same_health(z.data->health, states)) {
                zones.push_back(z.data);
                continue;
            }
            log_fallback(z.data->policy, z.data->health, states);
            changed.emplace_back(&z, zones.size());
            if (const zone::ZoneEntry* ready = standby_.find(*z.data, states)) {
                ahead.push_back(*ready);
                zones.push_back(ready->data);
                continue;
            }
            zones.push_back(zone::build_zone(z.data->policy, std::move(states), z.data.get()));
        }
        if (changed.empty()) return {"health: no answer changed", {}};
        const auto before = base_; // holds the zones of `changed` past the publish
        zone::SnapshotOptions o;
        o.recompile_of = base_.get();
        o.compiled_ahead = &ahead;
        const auto after = zones;
        publish(zone::compile_snapshot(std::move(zones), o));
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
        // Answers are out: what stays one change away is kept ready.
        for (const auto& [was, at] : changed) standby_.adopt(*was, after[at]);
        rebuilt_prepared_ += ahead.size();
        rebuilt_compiled_ += changed.size() - ahead.size();
        Rebuilt out{"health: answers of " + std::to_string(changed.size()) +
                        " zone(s) rebuilt in " + std::to_string(took.count()) + " ms (" +
                        std::to_string(ahead.size()) + " prepared ahead)",
                    {}};
        // After the publish: a resolver asking again must get the new answers.
        if (flusher_.enabled())
            for (const auto& [was, at] : changed)
                add_flush_items(*was->data, *after[at], out.flush);
        if (out.flush.size() > flush_zones_after) {
            out.flush.clear();
            for (const auto& [was, at] : changed)
                out.flush.push_back({was->data->policy.zone, true});
        }
        return out;
    } catch (const std::exception& e) {
        return {std::string("health: cannot rebuild answers: ") + e.what(), {}};
    }
}

void Control::schedule_renewal() {
    // Hourly: a zone's signatures are renewed once past half their lifetime
    // (at least a day ahead of expiry with the shortest, 2d), without a
    // reload; a reload that rebuilds the zone signs it anew as well. Sooner
    // when a key changes state (timing metadata): at that second.
    std::chrono::seconds wait = std::chrono::hours(1);
    const std::int64_t now = std::time(nullptr);
    for (const auto& z : current_->zones)
        if (z.data->next_key_event)
            wait = std::min(wait, std::chrono::seconds(
                                      std::max<std::int64_t>(1, *z.data->next_key_event - now)));
    renewal_.expires_after(wait);
    renewal_.async_wait([this](const boost::system::error_code& error) {
        if (error) return;
        renew_signatures(std::time(nullptr), std::nullopt, [this](const Reply&) {
            if (!stopped_) schedule_renewal();
        });
    });
}

void Control::drill(std::vector<std::string> down, std::vector<std::string> zones, ReplyTo done) {
    changes_.submit([this, down = std::move(down), zones = std::move(zones),
                     done = std::move(done)]() -> std::function<void()> {
        std::ostringstream out;
        std::string error;
        try {
            if (!explain::drill(out, *base_, down, zones, error))
                return [done, error] { done({1, "explain: " + error + "\n"}); };
        } catch (const std::exception& e) {
            return [done, what = std::string(e.what())] { done({1, "explain: " + what + "\n"}); };
        }
        return [done, text = out.str()] { done({0, text}); };
    });
}

void Control::renew_signatures(std::int64_t now, std::optional<std::string> force, ReplyTo done) {
    changes_.submit([this, now, force = std::move(force), done = std::move(done)]() mutable {
        return renew_on_worker(now, std::move(force), std::move(done));
    });
}

std::function<void()> Control::renew_on_worker(std::int64_t now, std::optional<std::string> force,
                                               ReplyTo done) {
    const std::string* named = force ? &*force : nullptr;
    std::vector<std::string> zones;
    for (const auto& z : base_->zones)
        if (zone::signs_again(*z.data, now, named)) zones.push_back(z.data->policy.zone);
    if (zones.empty())
        return [done, force] {
            done({force ? 1 : 0,
                  force ? "no signed zone" + (force->empty() ? "" : " " + *force) + "\n" : ""});
        };
    try {
        const auto live = live_.get();
        zone::Loaded next = zone::renew_signatures(
            *base_,
            {.write_state = true,
             .health = [&live](const config::ZonePolicy& p) { return live->answer_states(p); }},
            now, named);
        publish(next.snapshot, true);
        return [this, next = std::move(next), zones, named = force.has_value(), done] {
            if (stopped_) return;
            current_ = next.snapshot;
            log::notice("dnssec: signatures of " + std::to_string(zones.size()) + " zone(s) " +
                        (named ? "made again" : "renewed") + " in " +
                        std::to_string(next.load_time.count()) + " ms");
            for (const auto& warning : next.warnings) log::warning("dnssec: " + warning);
            for (const auto& event : next.events) log::notice(event);
            send_notifies(next);
            std::string text;
            for (const auto& z : current_->zones)
                if (std::find(zones.begin(), zones.end(), z.data->policy.zone) != zones.end())
                    text += "signed " + z.data->policy.zone + " serial " +
                            std::to_string(z.data->policy.soa.serial) + ", valid until " +
                            iso_time(std::chrono::system_clock::from_time_t(
                                z.data->validity.expiration)) +
                            "\n";
            done({0, text});
        };
    } catch (const std::exception& e) {
        return [done, error = std::string(e.what())] {
            log::error("dnssec: cannot sign again, retrying in an hour: " + error);
            done({1, "cannot sign: " + error + "\n"});
        };
    }
}

void Control::reload(ReplyTo done) {
    sd::reloading();
    changes_.submit([this, done = std::move(done)]() -> std::function<void()> {
        try {
            // Servers known to be down, and drained ones, stay out of the new answers.
            const auto live = live_.get();
            zone::Loaded next =
                zone::load_all(config_path_, {.previous = base_.get(),
                                              .write_state = true,
                                              .health = [&live](const config::ZonePolicy& p) {
                                                  return live->answer_states(p);
                                              }});
            auto changes = zone::describe_changes(*base_, *next.snapshot);
            publish(next.snapshot, true);
            return [this, next = std::move(next), changes = std::move(changes), done]() mutable {
                reload_done(std::move(next), std::move(changes), done);
            };
        } catch (const config::LoadError& e) {
            return [this, lines = config::error_lines(e), done]() mutable {
                reload_failed(std::move(lines), true, done);
            };
        } catch (const std::exception& e) {
            return [this, lines = std::vector<std::string>{e.what()}, done]() mutable {
                reload_failed(std::move(lines), false, done);
            };
        }
    });
}

void Control::reload_done(zone::Loaded next, zone::Changes changes, const ReplyTo& done) {
    if (stopped_) return;
    last_reload_.time = std::time(nullptr);
    last_reload_.lines.clear();
    if (next.config.listen != running_.listen || next.config.threads != running_.threads ||
        next.config.metrics_listen != running_.metrics_listen)
        log::warning("reload: listen, threads and metrics.listen cannot change at run "
                     "time; restart srvd to apply them");
    apply_log_level(next.config);
    apply_limits(next.config);
    if (next.config.resolvers != running_.resolvers) {
        flusher_.configure(next.config.resolvers);
        running_.resolvers = next.config.resolvers;
        log::info("reload: " + std::to_string(running_.resolvers.size()) +
                  " resolver(s) now flushed on health changes");
    }
    current_ = next.snapshot;
    monitor_.configure(policies(*current_));
    publish_live();
    last_reload_.lines.push_back("reloaded: " + summary(next) +
                                 (changes.lines.empty() ? "; nothing changed" : ""));
    for (const auto& change : changes.lines) last_reload_.lines.push_back("reloaded: " + change);
    next.warnings.insert(next.warnings.end(), changes.warnings.begin(), changes.warnings.end());
    for (const auto& line : last_reload_.lines) log::info(line);
    for (const auto& warning : zone::load_warnings(next)) {
        log::warning("reload: " + warning);
        last_reload_.lines.push_back("warning: " + warning);
    }
    send_notifies(next);
    schedule_renewal(); // the new keys may have their next event sooner
    ++registry_.reloads_succeeded;
    last_reload_.ok = true;
    sd::ready("serving " + summary(next));
    std::string text;
    for (const auto& line : last_reload_.lines) text += line + "\n";
    done({0, text});
}

void Control::reload_failed(std::vector<std::string> lines, bool counted, const ReplyTo& done) {
    if (stopped_) return;
    last_reload_.time = std::time(nullptr);
    // One log line per error: each is file:line:column, for editors and grep.
    if (lines.size() == 1) {
        log::error("reload failed, still serving the previous configuration: " + lines[0]);
    } else {
        log::error("reload failed (" + config::error_count_text(lines.size()) +
                   "), still serving the previous configuration:");
        for (const auto& line : lines) log::error("reload: " + line);
    }
    if (counted) lines.push_back(config::error_count_text(lines.size()));
    last_reload_.lines = std::move(lines);
    ++registry_.reloads_failed;
    last_reload_.ok = false;
    sd::ready("serving the previous configuration; the reload failed: " + last_reload_.lines[0]);
    std::string text;
    for (const auto& line : last_reload_.lines) text += line + "\n";
    done({1, text});
}

void Control::apply_limits(const config::ServerConfig& next) {
    if (next.rrl != running_.rrl) {
        holder_.publish_rrl(next.rrl);
        log::info(
            next.rrl.responses_per_second
                ? "reload: rate limiting now " + std::to_string(next.rrl.responses_per_second) +
                      " responses/s per client prefix (slip " + std::to_string(next.rrl.slip) + ")"
                : "reload: rate limiting now off");
    }
    if (next.limits.tcp_clients != running_.limits.tcp_clients ||
        next.limits.tcp_clients_per_prefix != running_.limits.tcp_clients_per_prefix ||
        next.limits.tcp_idle_timeout != running_.limits.tcp_idle_timeout) {
        tcp_limits_.max_clients = next.limits.tcp_clients;
        tcp_limits_.max_per_prefix = next.limits.tcp_clients_per_prefix;
        tcp_limits_.idle_timeout = next.limits.tcp_idle_timeout;
        log::info("reload: tcp_clients now " + std::to_string(next.limits.tcp_clients) + " (" +
                  std::to_string(next.limits.tcp_clients_per_prefix) + " per prefix)" +
                  ", tcp_idle_timeout " + std::to_string(next.limits.tcp_idle_timeout.count()) +
                  " ms (open connections keep the timeout they started with)");
    }
    if (next.limits.signatures_per_second != running_.limits.signatures_per_second ||
        next.limits.signatures_per_tcp_client != running_.limits.signatures_per_tcp_client) {
        signing_.set_rates(next.limits.signatures_per_second,
                           next.limits.signatures_per_tcp_client);
        log::info("reload: signatures_per_second now " +
                  std::to_string(next.limits.signatures_per_second) + " (" +
                  std::to_string(next.limits.signatures_per_tcp_client) + " per TCP client)");
    }
    if (next.limits.standby_memory != running_.limits.standby_memory) {
        standby_.set_budget(next.limits.standby_memory);
        log::info("reload: standby_memory now " + std::to_string(next.limits.standby_memory >> 20) +
                  " MiB");
    }
    running_.rrl = next.rrl;
    running_.limits = next.limits;
}

void Control::stop() {
    stopped_ = true;
    notifier_.stop();
    flusher_.stop();
    monitor_.stop();
    renewal_.cancel();
    collect_.cancel();
    changes_.stop();
}

} // namespace srvd::server
