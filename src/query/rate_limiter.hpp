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
    // `secret` keys the bucket hash; by default a random one per process.
    explicit RrlTable(std::uint64_t secret = random_secret());
    static std::uint64_t random_secret();
    // Where a client prefix's key (RateLimiter's) counts.
    std::size_t bucket_of(std::uint64_t key) const noexcept;

  private:
    friend class RateLimiter;
    // A bucket counts every prefix that hashes to it, together: it has no
    // owner that another prefix could take over and so start afresh (a
    // spoofer alternating a colliding prefix with a victim's would get the
    // victim answers without limit). A collision can only make the limit
    // stricter for both; and with a secret key per process, where prefixes
    // fall cannot be computed offline to aim one at a victim.
    struct Bucket {
        std::atomic<std::uint64_t> window{0}; // second << 32 | answers in it
        std::atomic<std::uint32_t> limited{0};
    };
    // 16,384 buckets (256 KiB): few enough to stay in cache, enough that
    // the clients of a busy server rarely share one.
    static constexpr std::size_t size = 1 << 14;
    std::uint64_t secret_[2];
    std::vector<Bucket> buckets_;
};

class RateLimiter {
  public:
    enum class Verdict : std::uint8_t { send, truncate, drop };

    // `table` is shared with the other workers' limiters; null: a table of its own.
    explicit RateLimiter(const RateLimitConfig& config, std::shared_ptr<RrlTable> table = nullptr);
    // `now_seconds`: a monotonic clock in whole seconds.
    Verdict check(const engine::ClientAddress& client, std::uint64_t now_seconds) noexcept;
    // The key of a client's prefix (family and masked address bytes).
    std::uint64_t key_of(const engine::ClientAddress& client) const noexcept;
    // A reload's settings. The counts so far are kept, for the second they
    // are in.
    void reconfigure(const RateLimitConfig& config) { config_ = config; }
    const RateLimitConfig& config() const { return config_; }

  private:
    RateLimitConfig config_;
    std::shared_ptr<RrlTable> table_;
};

} // namespace srvd::query
