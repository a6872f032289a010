// `srvd ctl status`: what the running server serves and how its media servers
// are, as text for people and as JSON for scripts.
#include "server/control.hpp"

#include "metrics/prometheus_text.hpp"

#include "util/host_port.hpp"
#include "util/iso_time.hpp"
#include "zone/model/health_ordering.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>

namespace srvd::server {
namespace {

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// One media server as status shows it.
struct ServerView {
    std::string zone, name, state, since, last_probe;
    std::string transport;               // probed over (empty: not probed)
    bool several = false;                // one of several transports' lines
    std::optional<std::uint16_t> weight; // from load (health.load)
    std::string weight_why;
    std::string caches_clear; // drained: when caches let it go ("at ISO" / "since ISO")
    double rtt_ms = 0;
    bool probed = false;
};

const char* state_name(health::ServerHealth h) {
    switch (h) {
    case health::ServerHealth::up:
        return "up";
    case health::ServerHealth::down:
        return "down";
    case health::ServerHealth::draining:
        return "draining";
    }
    return "?";
}

// Everything status shows, gathered once, then written as text or JSON.
struct StatusView {
    long long uptime = 0;
    std::vector<std::string> listen;
    struct Zone {
        std::string name;
        std::uint32_t serial;
        std::size_t names;
        std::string signed_until;      // empty: unsigned
        std::vector<std::string> keys; // each key's state and next event
        std::string fallback;          // every media server down: what answers do
    };
    std::vector<Zone> zones;
    std::string reload_time;
    bool reload_ok = true;
    std::vector<std::string> reload_lines;
    std::string geoip, geoip_age; // empty: none, unknown
    std::vector<ServerView> servers;
    std::vector<std::string> resolvers; // flushed on health changes
};

std::string as_json(const StatusView& v) {
    auto list = [](const auto& items, auto&& one) {
        std::string out = "[";
        for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + one(items[i]);
        return out + "]";
    };
    return "{\"version\":\"" SRVD_VERSION "\",\"pid\":" + std::to_string(::getpid()) +
           ",\"uptime_seconds\":" + std::to_string(v.uptime) +
           ",\"listen\":" + list(v.listen, json_string) + ",\"zones\":" +
           list(v.zones,
                [&list](const StatusView::Zone& z) {
                    return "{\"zone\":" + json_string(z.name) +
                           ",\"serial\":" + std::to_string(z.serial) +
                           ",\"names\":" + std::to_string(z.names) + ",\"signed_until\":" +
                           (z.signed_until.empty() ? "null" : json_string(z.signed_until)) +
                           ",\"keys\":" + list(z.keys, json_string) + ",\"all_down\":" +
                           (z.fallback.empty() ? "null" : json_string(z.fallback)) + "}";
                }) +
           ",\"last_reload\":{\"time\":" + json_string(v.reload_time) +
           ",\"result\":" + json_string(v.reload_ok ? "success" : "failure") +
           ",\"lines\":" + list(v.reload_lines, json_string) + "},\"geoip\":" +
           (v.geoip.empty() ? std::string("null")
                            : "{\"database\":" + json_string(v.geoip) + ",\"age_seconds\":" +
                                  (v.geoip_age.empty() ? "null" : v.geoip_age) + "}") +
           ",\"media_servers\":" +
           list(v.servers,
                [](const ServerView& m) {
                    return "{\"zone\":" + json_string(m.zone) +
                           ",\"server\":" + json_string(m.name) + ",\"transport\":" +
                           (m.transport.empty() ? "null" : json_string(m.transport)) +
                           ",\"state\":" + json_string(m.state) +
                           ",\"since\":" + json_string(m.since) + ",\"caches_clear\":" +
                           (m.caches_clear.empty() ? "null" : json_string(m.caches_clear)) +
                           ",\"last_probe\":" + (m.probed ? json_string(m.last_probe) : "null") +
                           ",\"rtt_ms\":" +
                           (m.probed && m.rtt_ms > 0 ? std::to_string(m.rtt_ms) : "null") +
                           ",\"weight\":" + (m.weight ? std::to_string(*m.weight) : "null") +
                           ",\"weight_why\":" +
                           (m.weight_why.empty() ? "null" : json_string(m.weight_why)) + "}";
                }) +
           ",\"resolvers\":" + list(v.resolvers, json_string) + "}\n";
}

std::string as_text(const StatusView& v) {
    std::string out = "srvd " SRVD_VERSION ", pid " + std::to_string(::getpid()) + ", up " +
                      std::to_string(v.uptime) + " s\nlisten:";
    for (const auto& l : v.listen) out += " " + l;
    out += "\nlast reload: " + v.reload_time + " " + (v.reload_ok ? "success" : "FAILED") + "\n";
    if (!v.reload_ok)
        for (const auto& line : v.reload_lines) out += "  " + line + "\n";
    out += v.geoip.empty() ? std::string("geoip: none\n")
                           : "geoip: " + v.geoip +
                                 (v.geoip_age.empty() ? "" : ", " + v.geoip_age + " s old") + "\n";
    for (const auto& z : v.zones)
        out += "zone " + z.name + " serial " + std::to_string(z.serial) + ", " +
               std::to_string(z.names) + " names" +
               (z.signed_until.empty() ? "" : ", signed until " + z.signed_until) +
               (z.fallback.empty() ? "" : "; " + z.fallback) + "\n" + [&] {
                   std::string keys;
                   for (const auto& k : z.keys) keys += "  key " + k + "\n";
                   return keys;
               }();
    for (const auto& m : v.servers) {
        out += "  " + m.zone + " " + m.name + (m.several ? " (" + m.transport + ")" : "") + ": " +
               m.state + " since " + m.since;
        if (!m.caches_clear.empty()) out += ", caches clear " + m.caches_clear;
        if (m.probed) {
            char rtt[32] = "";
            if (m.rtt_ms > 0) std::snprintf(rtt, sizeof rtt, " in %.1f ms", m.rtt_ms);
            out += ", last probe: " + m.last_probe + rtt;
        }
        if (!m.weight_why.empty()) out += ", weight: " + m.weight_why;
        out += "\n";
    }
    for (const auto& r : v.resolvers) out += "resolver " + r + "\n";
    return out;
}

} // namespace

Reply Control::status(bool json) const {
    StatusView v;
    v.uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() -
                                                                started_)
                   .count();
    for (const auto& ep : listen_) v.listen.push_back(host_port(ep.address(), ep.port()));
    for (const auto& z : current_->zones) {
        const config::ZonePolicy& p = z.data->policy;
        v.zones.push_back({p.zone,
                           p.soa.serial,
                           z.compiled ? z.compiled->names.size() : 0,
                           z.data->keys ? iso_time(std::chrono::system_clock::from_time_t(
                                              z.data->validity.expiration))
                                        : std::string(),
                           {},
                           {}});
        if (z.data->keys)
            for (const auto& k : z.data->keys->keys)
                v.zones.back().keys.push_back(dnssec::describe_key(k, std::time(nullptr)));
        if (const char* fallback = zone::all_down_fallback(p, z.data->health))
            v.zones.back().fallback = fallback;
        for (const auto& ms : p.media_servers) {
            // One line per transport probed (the first decides the others).
            const auto probes = monitor_.status(p, ms);
            for (std::size_t k = 0; k < std::max<std::size_t>(1, probes.size()); ++k) {
                ServerView m;
                m.zone = p.zone;
                m.name = ms.label;
                m.state = "up";
                m.since = iso_time(started_);
                if (k < probes.size()) {
                    const health::ServerStatus& s = probes[k];
                    // Not probed yet: in answers (as up), but not known to be up.
                    m.state = s.probed ? state_name(s.state) : "unknown";
                    m.since = iso_time(s.since);
                    m.probed = s.probed;
                    m.last_probe = s.last_probe;
                    m.rtt_ms = s.rtt_ms;
                    m.transport = config::transport_name(s.transport);
                    m.several = probes.size() > 1;
                    m.weight = s.weight;
                    m.weight_why = s.weight_why;
                }
                if (drains_.contains(p.zone, ms.label)) {
                    m.state = "drained";
                    const auto times = drain_times_.find({p.zone, ms.label});
                    const DrainTimes t = times == drain_times_.end() ? DrainTimes{} : times->second;
                    m.since = iso_time(t.since.value_or(started_));
                    if (t.caches_clear)
                        m.caches_clear =
                            (*t.caches_clear > std::chrono::system_clock::now() ? "at "
                                                                                : "since ") +
                            iso_time(*t.caches_clear);
                }
                v.servers.push_back(std::move(m));
            }
        }
    }
    v.reload_time =
        iso_time(std::chrono::system_clock::time_point(std::chrono::seconds(last_reload_.time)));
    v.reload_ok = last_reload_.ok;
    v.reload_lines = last_reload_.lines;
    struct stat st {};
    if (running_.geoip) {
        v.geoip = running_.geoip->database;
        if (::stat(v.geoip.c_str(), &st) == 0)
            v.geoip_age = std::to_string(std::time(nullptr) - st.st_mtime);
    }
    v.resolvers = flusher_.status_lines();
    return {0, json ? as_json(v) : as_text(v)};
}

std::string Control::render_metrics() const {
    metrics::PrometheusText out;
    out.family("srvd_build_info", "gauge", "The running srvd's version.");
    out.sample("srvd_build_info", {{"version", SRVD_VERSION}}, std::uint64_t{1});
    // Per zone: a value, or none when `of` gives none.
    auto per_zone = [&](const char* name, const char* help, auto of) {
        out.family(name, "gauge", help);
        for (const auto& z : current_->zones)
            if (const std::optional<std::int64_t> v = of(*z.data))
                out.sample(name, {{"zone", z.data->policy.zone}}, static_cast<std::uint64_t>(*v));
    };
    per_zone(
        "srvd_zone_serial", "Each zone's SOA serial.",
        [](const zone::ZoneData& z) -> std::optional<std::int64_t> { return z.policy.soa.serial; });
    per_zone("srvd_dnssec_signatures_expire_timestamp_seconds",
             "When a signed zone's signatures expire (renewed at half their lifetime).",
             [](const zone::ZoneData& z) -> std::optional<std::int64_t> {
                 if (!z.keys) return std::nullopt;
                 return z.validity.expiration;
             });
    per_zone("srvd_dnssec_next_key_event_timestamp_seconds",
             "When a key of a signed zone next changes state (its timing metadata): published, "
             "signing, retired or removed.",
             [](const zone::ZoneData& z) { return z.next_key_event; });
    out.family("srvd_last_reload_timestamp_seconds", "gauge",
               "When the configuration was last loaded (the start, then each reload).");
    out.sample("srvd_last_reload_timestamp_seconds", {},
               static_cast<std::uint64_t>(last_reload_.time));
    out.family("srvd_last_reload_success", "gauge",
               "1 when the last reload was applied, 0 when it was refused.");
    out.sample("srvd_last_reload_success", {}, std::uint64_t{last_reload_.ok ? 1u : 0u});
    media_server_metrics(out);
    out.family("srvd_standby_zones", "gauge",
               "Zones built and compiled ahead for a media server that may go down next.");
    out.sample("srvd_standby_zones", {}, std::uint64_t{standby_.zones()});
    out.family("srvd_standby_bytes", "gauge",
               "About the memory those take (limits.standby_memory bounds it).");
    out.sample("srvd_standby_bytes", {}, std::uint64_t{standby_.memory()});
    out.family("srvd_health_zone_rebuilds_total", "counter",
               "Zones whose answers a health change or drain changed: prepared ahead (ready in "
               "milliseconds), or compiled then.");
    out.sample("srvd_health_zone_rebuilds_total", {{"from", "standby"}}, rebuilt_prepared_.load());
    out.sample("srvd_health_zone_rebuilds_total", {{"from", "compile"}}, rebuilt_compiled_.load());
    flusher_.write_metrics(out);
    return out.take();
}

void Control::media_server_metrics(metrics::PrometheusText& out) const {
    // One live state per media server: health and drain apart, so a
    // drained server that answers its probes reads up and drained.
    const auto live = live_.get();
    auto gauge = [&](const char* name, const char* help, auto holds) {
        out.family(name, "gauge", help);
        for (const auto& z : current_->zones) {
            const config::ZonePolicy& p = z.data->policy;
            const auto states = live->health.states(p);
            for (std::size_t i = 0; i < p.media_servers.size(); ++i) {
                const std::string& label = p.media_servers[i].label;
                out.sample(
                    name, {{"zone", p.zone}, {"server", label}},
                    std::uint64_t{holds(states[i], live->drained.count({p.zone, label}) != 0)});
            }
        }
    };
    using health::ServerHealth;
    using health::ServerState;
    gauge("srvd_media_server_up",
          "1 while health checks find a media server up over every transport they probe "
          "(always 1 without health checks; a drain does not change it).",
          [](const ServerState& h, bool) { return h.is(ServerHealth::up); });
    gauge("srvd_media_server_draining",
          "1 while a media server answers health checks with 503 (over any transport).",
          [](const ServerState& h, bool) {
              return std::count(h.by_transport.begin(), h.by_transport.end(),
                                ServerHealth::draining) != 0;
          });
    gauge("srvd_media_server_drained",
          "1 while an operator has drained a media server (srvd ctl drain).",
          [](const ServerState&, bool drained) { return drained; });
    out.family("srvd_media_server_transport_up", "gauge",
               "1 while a media server's probe over one transport finds it up: each transport's "
               "SRV set follows its own.");
    for (const auto& z : current_->zones)
        for (const auto& ms : z.data->policy.media_servers)
            for (const health::ServerStatus& s : monitor_.status(z.data->policy, ms))
                out.sample("srvd_media_server_transport_up",
                           {{"zone", z.data->policy.zone},
                            {"server", ms.label},
                            {"transport", config::transport_name(s.transport)}},
                           std::uint64_t{s.state == ServerHealth::up});
    out.family("srvd_media_server_weight", "gauge",
               "A media server's weight in tiers of several as its load makes it (health.load); "
               "absent while the configured weights stand.");
    for (const auto& z : current_->zones)
        for (const auto& ms : z.data->policy.media_servers)
            for (const health::ServerStatus& s : monitor_.status(z.data->policy, ms))
                if (s.weight)
                    out.sample("srvd_media_server_weight",
                               {{"zone", z.data->policy.zone}, {"server", ms.label}},
                               std::uint64_t{*s.weight});
    out.family("srvd_probe_rtt_seconds", "gauge",
               "Round trip of each media server's last answered health probe (per transport when "
               "probed over several).");
    for (const auto& r : monitor_.round_trips())
        if (r.several)
            out.sample("srvd_probe_rtt_seconds",
                       {{"zone", r.zone},
                        {"server", r.server},
                        {"transport", config::transport_name(r.transport)}},
                       r.ms / 1000);
        else
            out.sample("srvd_probe_rtt_seconds", {{"zone", r.zone}, {"server", r.server}},
                       r.ms / 1000);
}

} // namespace srvd::server
