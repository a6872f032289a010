#pragma once
// What happens to one query, in one place for UDP, TCP, the fuzzer and the
// tests (as Knot's process_query and NSD's query.c), in stages: rate
// limiting, the query read, then either the answer engine writes the reply
// or the query goes to the transfer layer (AXFR, IXFR, anything TSIG-signed:
// the TSIG verified first, then the transfer or the engine's answer, then
// signing), and the counters are taken from the reply that actually leaves.
// No answer is written and then replaced.
#include "engine/answer_engine.hpp"
#include "metrics/counters.hpp"
#include "query/rate_limiter.hpp"
#include "xfr/responder.hpp"
#include "zone/snapshot/snapshot.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace srvd::query {

enum class Action : std::uint8_t {
    send,     // `size` bytes of `out`
    drop,     // nothing to say: malformed, a response, or over the rate limit
    transfer, // call transfer() (allocates: inline on UDP, off the worker on TCP)
};

struct Result {
    Action action = Action::drop;
    std::size_t size = 0;          // of the engine's answer in `out`, for send
    std::uint64_t nanoseconds = 0; // the engine's time, for count_transfer
};

// The packet path: allocates nothing, throws nothing. `limiter` (UDP only;
// null for none) decides before any answering work, keyed on the client's
// prefix; `now_seconds` is its clock. `counters` may be null (tests, fuzzer).
//
// `since`, when given, is where this query's time starts, and is moved to
// where it ends: a batch's queries are timed back to back with one clock
// read each instead of two (a read costs ~27 ns here, a fifth of a static
// answer), each including its share of the batch's bookkeeping. Without
// it, the time starts after rate limiting.
Result process(const zone::Snapshot& snapshot, const engine::Request& request, RateLimiter* limiter,
               std::uint64_t now_seconds, std::uint8_t* out, std::size_t out_size,
               engine::AnswerInfo& info, metrics::WorkerCounters* counters,
               std::chrono::steady_clock::time_point* since = nullptr) noexcept;

// The messages that answer a query process() handed over, in order (the
// transfer layer's). `info` is process()'s, with the parsed query. Never
// throws: a failure is logged and answered with nothing.
xfr::Outcome transfer(const zone::Snapshot& snapshot, const engine::Request& request,
                      const engine::AnswerInfo& info) noexcept;

// Counts a transfer's reply on the worker that received the query (counters
// are written by their own worker only): the rcode of its first message.
void count_transfer(metrics::WorkerCounters& counters, engine::Protocol protocol,
                    engine::AnswerInfo info, const Result& result,
                    const xfr::Outcome& outcome) noexcept;

} // namespace srvd::query
