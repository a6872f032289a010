#pragma once
// Response rate limiting in the style of NSD and Knot (RRL): UDP answers per
// second per client prefix. Over the rate, answers are dropped, except every
// `slip`-th one, which goes out truncated (TC) so a real client retries over
// TCP while a spoofed victim gets little. One table per worker: no lock on
// the packet path, at the price of the limit applying per worker.
#include "config/server_config.hpp"
#include "engine/answer_engine.hpp"

#include <cstdint>
#include <vector>

namespace srvd::query {

using RateLimitConfig = RrlConfig;

class RateLimiter {
  public:
    enum class Verdict : std::uint8_t { send, truncate, drop };

    explicit RateLimiter(const RateLimitConfig& config);
    // `now_seconds`: a monotonic clock in whole seconds.
    Verdict check(const engine::ClientAddress& client, std::uint64_t now_seconds) noexcept;
    // A reload's settings; the counts so far are kept when the rate is the same.
    void reconfigure(const RateLimitConfig& config);
    const RateLimitConfig& config() const { return config_; }

  private:
    struct Bucket {
        std::uint64_t key = 0;
        std::uint64_t second = 0;
        std::uint32_t count = 0;
        std::uint32_t limited = 0;
    };
    // 16,384 buckets: collisions between prefixes only make the limit
    // stricter for both, which is the safe direction.
    static constexpr std::size_t buckets = 1 << 14;

    RateLimitConfig config_;
    std::vector<Bucket> table_;
};

} // namespace srvd::query
