#pragma once
// Response rate limiting in the style of NSD and Knot (RRL): UDP answers per
// second per client prefix. Over the rate, answers are dropped, except every
// `slip`-th one, which goes out truncated (TC) so a real client retries over
// TCP while a spoofed victim gets little.
//
// One table for all workers: the kernel spreads a client's queries over the
// workers' SO_REUSEPORT sockets by source port, so per-worker tables would
// let a flood from many ports through at N times the rate. The buckets are
// relaxed atomics (one add per limited query, no lock); two workers starting
// a bucket's second at once may let an extra answer or two through, never
// fewer than the rate.
#include "config/server_config.hpp"
#include "engine/answer_engine.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace srvd::query {

using RateLimitConfig = config::RrlConfig;

// The counts, shared by every worker's RateLimiter.
class RrlTable {
  public:
    RrlTable() : buckets_(size) {}

  private:
    friend class RateLimiter;
    struct Bucket {
        std::atomic<std::uint64_t> key{0};
        std::atomic<std::uint64_t> window{0}; // second << 32 | answers in it
        std::atomic<std::uint32_t> limited{0};
    };
    // 16,384 buckets: collisions between prefixes only make the limit
    // stricter for both, which is the safe direction.
    static constexpr std::size_t size = 1 << 14;
    std::vector<Bucket> buckets_;
};

class RateLimiter {
  public:
    enum class Verdict : std::uint8_t { send, truncate, drop };

    // `table` is shared with the other workers' limiters; null: a table of its own.
    explicit RateLimiter(const RateLimitConfig& config, std::shared_ptr<RrlTable> table = nullptr);
    // `now_seconds`: a monotonic clock in whole seconds.
    Verdict check(const engine::ClientAddress& client, std::uint64_t now_seconds) noexcept;
    // A reload's settings. The counts so far are kept: a key made with other
    // prefix lengths simply does not match, and its bucket starts afresh.
    void reconfigure(const RateLimitConfig& config) { config_ = config; }
    const RateLimitConfig& config() const { return config_; }

  private:
    RateLimitConfig config_;
    std::shared_ptr<RrlTable> table_;
};

} // namespace srvd::query
