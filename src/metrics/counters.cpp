#include "metrics/counters.hpp"

namespace srvd::metrics {

void WorkerCounters::count(engine::Protocol protocol, std::size_t answer_size,
                           const engine::AnswerInfo& info, std::uint64_t nanoseconds) noexcept {
    const int t = protocol == engine::Protocol::tcp ? 1 : 0;
    if (answer_size == 0) {
        bump(dropped[t]);
        return;
    }
    std::size_t q = 0;
    while (q < counted_qtypes.size() && counted_qtypes[q] != info.qtype) ++q;
    bump(queries[t][q]);
    const std::size_t r = info.rcode <= 5 ? info.rcode : info.rcode == 16 ? 6 : 7;
    bump(answers[t][r]);
    if (info.truncated) bump(truncated);
    if (info.signed_online) bump(online_signatures);
    if (info.signing_refused) bump(signing_refused);
    if (info.located && info.zone < max_zones && info.region < max_regions)
        bump(located[info.zone][info.region]);
    std::size_t b = 0;
    while (b < latency_bounds_ns.size() && nanoseconds > latency_bounds_ns[b]) ++b;
    bump(latency[b]);
    bump(latency_sum_ns, nanoseconds);
}

} // namespace srvd::metrics
