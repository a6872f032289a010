#include "metrics/registry.hpp"

#include <cstdio>
#include <sstream>

namespace srvd::metrics {
namespace {

std::uint64_t get(const WorkerCounters::Counter& c) {
    return c.load(std::memory_order_relaxed);
}

void header(std::ostringstream& out, const char* name, const char* type, const char* help) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
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

    // One sample line: name{labels} value.
    void sample(const char* name, const std::string& labels, std::uint64_t value) {
        out << name << (labels.empty() ? "" : "{" + labels + "}") << " " << value << "\n";
    }

    static std::string transport(int t) {
        return std::string("transport=\"") + transport_name(t) + "\"";
    }

    void traffic() {
        header(out, "srvd_queries_total", "counter",
               "Queries answered, by transport and query type.");
        for (int t = 0; t < 2; ++t)
            for (std::size_t q = 0; q < qtype_names.size(); ++q)
                sample(
                    "srvd_queries_total", transport(t) + ",qtype=\"" + qtype_names[q] + "\"",
                    sum([&](const WorkerCounters& w) -> const auto& { return w.queries[t][q]; }));
        header(out, "srvd_answers_total", "counter",
               "Answers sent, by transport and response code.");
        for (int t = 0; t < 2; ++t)
            for (std::size_t r = 0; r < rcode_names.size(); ++r)
                sample(
                    "srvd_answers_total", transport(t) + ",rcode=\"" + rcode_names[r] + "\"",
                    sum([&](const WorkerCounters& w) -> const auto& { return w.answers[t][r]; }));
        header(out, "srvd_dropped_total", "counter",
               "Packets dropped without an answer (no usable header, or a response).");
        for (int t = 0; t < 2; ++t)
            sample("srvd_dropped_total", transport(t),
                   sum([&](const WorkerCounters& w) -> const auto& { return w.dropped[t]; }));
        header(out, "srvd_truncated_total", "counter", "UDP answers sent with TC set.");
        sample("srvd_truncated_total", "",
               sum([](const WorkerCounters& w) -> const auto& { return w.truncated; }));
    }

    void rate_limiting() {
        header(out, "srvd_rrl_dropped_total", "counter",
               "UDP answers dropped by response rate limiting.");
        sample("srvd_rrl_dropped_total", "",
               sum([](const WorkerCounters& w) -> const auto& { return w.rrl_dropped; }));
        header(out, "srvd_rrl_slipped_total", "counter",
               "UDP answers sent truncated (TC) by response rate limiting instead of being "
               "dropped.");
        sample("srvd_rrl_slipped_total", "",
               sum([](const WorkerCounters& w) -> const auto& { return w.rrl_slipped; }));
        header(out, "srvd_dnssec_online_signatures_total", "counter",
               "Answers with a signature made for the query (DNSSEC compact denial of a name "
               "that does not exist, a wildcard's proof): tens of microseconds each.");
        sample("srvd_dnssec_online_signatures_total", "",
               sum([](const WorkerCounters& w) -> const auto& { return w.online_signatures; }));
        header(out, "srvd_dnssec_signing_refused_total", "counter",
               "Queries answered SERVFAIL because the signing budget had no room for their "
               "signature (limits.signatures_per_second, limits.signatures_per_tcp_client).");
        sample("srvd_dnssec_signing_refused_total", "",
               sum([](const WorkerCounters& w) -> const auto& { return w.signing_refused; }));
    }

    void transfers() {
        header(out, "srvd_transfers_total", "counter",
               "Zone transfers answered: the whole zone (axfr, also IXFR beyond the journal), "
               "changes or the current SOA (ixfr), or refused.");
        const char* kinds[] = {"type=\"axfr\"", "type=\"ixfr\"", "type=\"refused\""};
        for (int k = 0; k < 3; ++k)
            sample("srvd_transfers_total", kinds[k],
                   sum([&](const WorkerCounters& w) -> const auto& { return w.transfers[k]; }));
    }

    void regions(const zone::Snapshot& current) {
        header(out, "srvd_region_answers_total", "counter",
               "Answers chosen by the client's region (GeoIP or default), by zone and region.");
        std::uint64_t lookups = 0;
        for (std::size_t z = 0; z < current.zones.size() && z < max_zones; ++z) {
            const config::ZonePolicy& p = current.zones[z].data->policy;
            for (std::size_t r = 0; r < p.regions.size() && r < max_regions; ++r) {
                const std::uint64_t n =
                    sum([&](const WorkerCounters& w) -> const auto& { return w.located[z][r]; });
                lookups += n;
                sample("srvd_region_answers_total",
                       "zone=\"" + p.zone + "\",region=\"" + p.regions[r].name + "\"", n);
            }
        }
        header(out, "srvd_geoip_lookups_total", "counter",
               "Answers that needed the client's region or subnet (one compiled-table lookup "
               "each).");
        sample("srvd_geoip_lookups_total", "", current.geo ? lookups : 0);
    }

    void latency() {
        header(out, "srvd_answer_duration_seconds", "histogram",
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
            out << "srvd_answer_duration_seconds_bucket{le=\"" << le << "\"} " << cumulative
                << "\n";
        }
        out << "srvd_answer_duration_seconds_sum "
            << static_cast<double>(
                   sum([](const WorkerCounters& w) -> const auto& { return w.latency_sum_ns; })) /
                   1e9
            << "\nsrvd_answer_duration_seconds_count " << cumulative << "\n";
    }

    std::ostringstream out;

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
    std::ostringstream& out = r.out;
    header(out, "srvd_reloads_total", "counter", "Configuration reloads (SIGHUP), by result.");
    out << "srvd_reloads_total{result=\"success\"} " << reloads_succeeded.load() << "\n"
        << "srvd_reloads_total{result=\"failure\"} " << reloads_failed.load() << "\n";
    header(out, "srvd_internal_errors_total", "counter",
           "Jobs of a worker or the transfer thread that failed with an exception (logged; "
           "the thread kept serving).");
    out << "srvd_internal_errors_total " << internal_errors.load() << "\n";
    if (tcp_connections) {
        header(out, "srvd_tcp_connections", "gauge", "Open TCP connections.");
        out << "srvd_tcp_connections " << tcp_connections->load() << "\n";
    }
    header(out, "srvd_snapshot_bytes", "gauge", "Memory of the compiled answers and GeoIP tables.");
    out << "srvd_snapshot_bytes " << current.memory() + (current.geo ? current.geo->memory() : 0)
        << "\n";
    return out.str();
}

} // namespace srvd::metrics
