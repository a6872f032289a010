#include "query/pipeline.hpp"

#include "dns/wire.hpp"
#include "util/log.hpp"

#include <chrono>
#include <cstring>

namespace srvd::query {
namespace {

// The time from `start` to now; `since`, if given, moves to now.
std::uint64_t nanoseconds_since(std::chrono::steady_clock::time_point start,
                                std::chrono::steady_clock::time_point* since) {
    const auto now = std::chrono::steady_clock::now();
    if (since) *since = now;
    return static_cast<std::uint64_t>((now - start).count());
}

// Header, question and the OPT, TC set: a real client retries over TCP, and
// still sees that we do EDNS (RFC 6891 7).
std::size_t slip(std::uint8_t* out, std::size_t size, const engine::AnswerInfo& info) {
    const std::size_t opt = info.opt_size;
    std::memmove(out + info.question_end, out + size - opt, opt);
    out[2] |= dns::flag2::TC;
    std::memset(out + 6, 0, 6);
    out[11] = opt ? 1 : 0;
    return info.question_end + opt;
}

} // namespace

Result process(const zone::Snapshot& snapshot, const engine::Request& request, RateLimiter* limiter,
               std::uint64_t now_seconds, std::uint8_t* out, std::size_t out_size,
               engine::AnswerInfo& info, metrics::WorkerCounters* counters,
               std::chrono::steady_clock::time_point* since) noexcept {
    const auto verdict =
        limiter ? limiter->check(request.client, now_seconds) : RateLimiter::Verdict::send;
    if (verdict == RateLimiter::Verdict::drop) {
        if (counters) metrics::WorkerCounters::bump(counters->rrl_dropped);
        return {};
    }
    const auto start = since ? *since : std::chrono::steady_clock::now();
    const engine::ParseStatus status = engine::parse_query(request.data, request.size, info.query);
    if (status == engine::ParseStatus::ok && engine::is_transfer(info.query)) {
        // The transfer layer's, from the parsed query: the engine writes
        // nothing for it. Counted when its reply is known (count_transfer).
        info.qtype = info.query.qtype;
        info.transfer = true;
        return {Action::transfer, 0, nanoseconds_since(start, since)};
    }
    // A slip is cut to its question: no signature is made for it.
    engine::Request asked = request;
    asked.sign_online = verdict != RateLimiter::Verdict::truncate;
    std::size_t size =
        engine::answer_parsed(snapshot, asked, status, info.query, out, out_size, &info);
    if (size == 0) {
        if (counters) counters->count(request.protocol, 0, info, nanoseconds_since(start, since));
        return {};
    }
    if (verdict == RateLimiter::Verdict::truncate) {
        if (counters) metrics::WorkerCounters::bump(counters->rrl_slipped);
        size = slip(out, size, info);
        info.truncated = true;
    }
    const std::uint64_t nanoseconds = nanoseconds_since(start, since);
    if (counters) counters->count(request.protocol, size, info, nanoseconds);
    return {Action::send, size, nanoseconds};
}

xfr::Outcome transfer(const zone::Snapshot& snapshot, const engine::Request& request,
                      const engine::AnswerInfo& info) noexcept {
    xfr::Outcome outcome;
    try {
        outcome = xfr::respond(snapshot, request, info.query);
    } catch (const std::exception& e) {
        log::error(std::string("transfer layer failed, query dropped: ") + e.what());
        outcome = {};
    }
    return outcome;
}

void count_transfer(metrics::WorkerCounters& counters, engine::Protocol protocol,
                    engine::AnswerInfo info, const Result& result,
                    const xfr::Outcome& outcome) noexcept {
    counters.count_transfer(outcome.kind);
    std::size_t size = 0;
    if (!outcome.messages.empty() && outcome.messages.front().size() >= 12) {
        const std::string& first = outcome.messages.front();
        size = first.size();
        info.rcode = static_cast<std::uint8_t>(first[3]) & 0x0f;
        info.truncated = static_cast<std::uint8_t>(first[2]) & dns::flag2::TC;
    }
    counters.count(protocol, size, info, result.nanoseconds);
}

} // namespace srvd::query
