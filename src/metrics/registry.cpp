#include "metrics/registry.hpp"

#include "metrics/prometheus_text.hpp"

#include <cstdio>

namespace srvd::metrics {
namespace {

std::uint64_t get(const WorkerCounters::Counter& c) {
    return c.load(std::memory_order_relaxed);
}

const char* transport_name(int t) {
    return t ? "tcp" : "udp";
}

// Writes one scrape: a step per family of metrics.
class Renderer {
  public:
    Renderer(const std::deque<WorkerCounters>& workers) : workers_(workers) {}

    template <typename Pick> std::uint64_t sum(Pick pick) const {
        std::uint64_t total = 0;
        for (const auto& w : workers_) total += get(pick(w));
        return total;
    }

    void traffic() {
        out.family("srvd_queries_total", "counter",
                   "Queries answered, by transport and query type.");
        for (int t = 0; t < 2; ++t)
            for (std::size_t q = 0; q < qtype_names.size(); ++q)
                out.sample(
                    "srvd_queries_total",
                    {{"transport", transport_name(t)}, {"qtype", qtype_names[q]}},
                    sum([&](const WorkerCounters& w) -> const auto& { return w.queries[t][q]; }));
        out.family("srvd_answers_total", "counter",
                   "Answers sent, by transport and response code.");
        for (int t = 0; t < 2; ++t)
            for (std::size_t r = 0; r < rcode_names.size(); ++r)
                out.sample(
                    "srvd_answers_total",
                    {{"transport", transport_name(t)}, {"rcode", rcode_names[r]}},
                    sum([&](const WorkerCounters& w) -> const auto& { return w.answers[t][r]; }));
        out.family("srvd_dropped_total", "counter",
                   "Packets dropped without an answer (no usable header, or a response).");
        for (int t = 0; t < 2; ++t)
            out.sample("srvd_dropped_total", {{"transport", transport_name(t)}},
                       sum([&](const WorkerCounters& w) -> const auto& { return w.dropped[t]; }));
        counter(
            "srvd_truncated_total", "UDP answers sent with TC set.",
            [](const WorkerCounters& w) -> const auto& { return w.truncated; });
    }

    // A family of one unlabelled counter summed over the workers.
    template <typename Pick> void counter(const char* name, const char* help, Pick pick) {
        out.family(name, "counter", help);
        out.sample(name, {}, sum(pick));
    }

    void rate_limiting() {
        counter(
            "srvd_rrl_dropped_total", "UDP answers dropped by response rate limiting.",
            [](const WorkerCounters& w) -> const auto& { return w.rrl_dropped; });
        counter(
            "srvd_rrl_slipped_total",
            "UDP answers sent truncated (TC) by response rate limiting instead of being "
            "dropped.",
            [](const WorkerCounters& w) -> const auto& { return w.rrl_slipped; });
        counter(
            "srvd_dnssec_online_signatures_total",
            "Answers with a signature made for the query (DNSSEC compact denial of a name "
            "that does not exist, a wildcard's proof): tens of microseconds each.",
            [](const WorkerCounters& w) -> const auto& { return w.online_signatures; });
        counter(
            "srvd_dnssec_signing_refused_total",
            "Queries answered SERVFAIL because the signing budget had no room for their "
            "signature (limits.signatures_per_second, limits.signatures_per_tcp_client).",
            [](const WorkerCounters& w) -> const auto& { return w.signing_refused; });
    }

    void transfers() {
        out.family("srvd_transfers_total", "counter",
                   "Zone transfers answered: the whole zone (axfr, also IXFR beyond the journal), "
                   "changes or the current SOA (ixfr), or refused.");
        const char* kinds[] = {"axfr", "ixfr", "refused"};
        for (int k = 0; k < 3; ++k)
            out.sample("srvd_transfers_total", {{"type", kinds[k]}},
                       sum([&](const WorkerCounters& w) -> const auto& { return w.transfers[k]; }));
    }

    void regions(const zone::Snapshot& current) {
        out.family("srvd_region_answers_total", "counter",
                   "Answers chosen by the client's region (GeoIP or default), by zone and region.");
        std::uint64_t lookups = 0;
        for (std::size_t z = 0; z < current.zones.size() && z < max_zones; ++z) {
            const config::ZonePolicy& p = current.zones[z].data->policy;
            for (std::size_t r = 0; r < p.regions.size() && r < max_regions; ++r) {
                const std::uint64_t n =
                    sum([&](const WorkerCounters& w) -> const auto& { return w.located[z][r]; });
                lookups += n;
                out.sample("srvd_region_answers_total",
                           {{"zone", p.zone}, {"region", p.regions[r].name}}, n);
            }
        }
        out.family("srvd_geoip_lookups_total", "counter",
                   "Answers that needed the client's region or subnet (one compiled-table lookup "
                   "each).");
        out.sample("srvd_geoip_lookups_total", {}, current.geo ? lookups : std::uint64_t{0});
    }

    void latency() {
        out.family("srvd_answer_duration_seconds", "histogram",
                   "Time srvd took to answer each query (rate limiting and the engine; UDP "
                   "queries of one batch are timed back to back).");
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b <= latency_bounds_ns.size(); ++b) {
            cumulative += sum([&](const WorkerCounters& w) -> const auto& { return w.latency[b]; });
            char le[32];
            if (b < latency_bounds_ns.size())
                std::snprintf(le, sizeof le, "%g", static_cast<double>(latency_bounds_ns[b]) / 1e9);
            else
                std::snprintf(le, sizeof le, "+Inf");
            out.sample("srvd_answer_duration_seconds_bucket", {{"le", le}}, cumulative);
        }
        out.sample("srvd_answer_duration_seconds_sum", {},
                   static_cast<double>(sum(
                       [](const WorkerCounters& w) -> const auto& { return w.latency_sum_ns; })) /
                       1e9);
        out.sample("srvd_answer_duration_seconds_count", {}, cumulative);
    }

    PrometheusText out;

  private:
    const std::deque<WorkerCounters>& workers_;
};

} // namespace

std::string Registry::render(const zone::Snapshot& current) const {
    Renderer r(workers_);
    r.traffic();
    r.rate_limiting();
    r.transfers();
    r.regions(current);
    r.latency();
    PrometheusText& out = r.out;
    out.family("srvd_reloads_total", "counter", "Configuration reloads (SIGHUP), by result.");
    out.sample("srvd_reloads_total", {{"result", "success"}}, reloads_succeeded.load());
    out.sample("srvd_reloads_total", {{"result", "failure"}}, reloads_failed.load());
    out.family("srvd_internal_errors_total", "counter",
               "Jobs of a worker or the transfer thread that failed with an exception (logged; "
               "the thread kept serving).");
    out.sample("srvd_internal_errors_total", {}, internal_errors.load());
    if (tcp_connections) {
        out.family("srvd_tcp_connections", "gauge", "Open TCP connections.");
        out.sample("srvd_tcp_connections", {}, std::uint64_t{tcp_connections->load()});
    }
    out.family("srvd_snapshot_bytes", "gauge", "Memory of the compiled answers and GeoIP tables.");
    out.sample("srvd_snapshot_bytes", {},
               std::uint64_t{current.memory() + (current.geo ? current.geo->memory() : 0)});
    return out.take();
}

} // namespace srvd::metrics
