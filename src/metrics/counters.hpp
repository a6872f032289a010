#pragma once
// Per-worker counters. Each worker writes only its own block (relaxed loads
// and stores, no read-modify-write, so no locked instruction on the packet
// path); the metrics endpoint sums the blocks when scraped.
#include "engine/answer_engine.hpp"
#include "metrics/transfer_kind.hpp"

#include <array>
#include <atomic>
#include <cstdint>

namespace srvd::metrics {

// Query types worth a label of their own; the rest count as "other".
inline constexpr std::array<std::uint16_t, 9> counted_qtypes = {1, 28, 35, 33, 2, 6, 16, 255, 5};
inline constexpr std::array<const char*, 10> qtype_names = {
    "A", "AAAA", "NAPTR", "SRV", "NS", "SOA", "TXT", "ANY", "CNAME", "other"};
// Extended rcodes 0..5 and BADVERS, then "other".
inline constexpr std::array<const char*, 8> rcode_names = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "BADVERS", "other"};
// Answer latency buckets (upper bounds, nanoseconds): the engine takes
// hundreds of nanoseconds, so the interesting range is 250 ns to 1 ms.
inline constexpr std::array<std::uint64_t, 9> latency_bounds_ns = {
    250, 500, 1'000, 2'500, 5'000, 10'000, 50'000, 250'000, 1'000'000};
inline constexpr std::size_t max_zones = 16, max_regions = 16; // beyond: not broken down

struct alignas(64) WorkerCounters {
    using Counter = std::atomic<std::uint64_t>;
    Counter queries[2][qtype_names.size()] = {}; // [transport][qtype]
    Counter answers[2][rcode_names.size()] = {}; // [transport][rcode]
    Counter dropped[2] = {};
    Counter truncated = 0;
    Counter rrl_dropped = 0, rrl_slipped = 0;     // response rate limiting
    Counter online_signatures = 0;                // DNSSEC: signed per query
    Counter signing_refused = 0;                  // DNSSEC: over the signing budget
    Counter transfers[3] = {};                    // TransferKind: axfr, ixfr, refused
    Counter located[max_zones][max_regions] = {}; // answers chosen by region
    Counter latency[latency_bounds_ns.size() + 1] = {};
    Counter latency_sum_ns = 0;

    static void bump(Counter& c, std::uint64_t by = 1) {
        c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
    }

    void count_transfer(TransferKind kind) noexcept {
        if (kind != TransferKind::signed_query) bump(transfers[static_cast<int>(kind)]);
    }

    void count(engine::Protocol protocol, std::size_t answer_size, const engine::AnswerInfo& info,
               std::uint64_t nanoseconds) noexcept;
};

} // namespace srvd::metrics
