#include "query/rate_limiter.hpp"

namespace srvd::query {

RateLimiter::RateLimiter(const RateLimitConfig& config) : config_(config), table_(buckets) {}

void RateLimiter::reconfigure(const RateLimitConfig& config) {
    if (config == config_) return;
    const bool same_keys =
        config.ipv4_prefix == config_.ipv4_prefix && config.ipv6_prefix == config_.ipv6_prefix;
    config_ = config;
    if (!same_keys) table_.assign(buckets, Bucket{});
}

RateLimiter::Verdict RateLimiter::check(const engine::ClientAddress& client,
                                        std::uint64_t now) noexcept {
    if (config_.responses_per_second == 0 || client.family == 0) return Verdict::send;
    for (const auto& p : config_.exempt)
        if (in_prefix(client, p)) return Verdict::send;
    // The key: the client's prefix, with the family in the top bits.
    const std::uint8_t prefix = client.family == 4 ? config_.ipv4_prefix : config_.ipv6_prefix;
    std::uint64_t key = client.family;
    for (std::uint8_t i = 0; i < (client.family == 4 ? 4 : 8); ++i) {
        const int bits = static_cast<int>(prefix) - 8 * i;
        const std::uint8_t mask = bits >= 8   ? 0xff
                                  : bits <= 0 ? 0
                                              : static_cast<std::uint8_t>(0xff00 >> bits);
        key = (key << 8) | (client.bytes[i] & mask);
    }
    std::uint64_t h = key * 0x9e3779b97f4a7c15ULL;
    Bucket& b = table_[(h >> 40) & (buckets - 1)];
    if (b.key != key || b.second != now) {
        b.key = key;
        b.second = now;
        b.count = 0;
    }
    if (++b.count <= config_.responses_per_second) return Verdict::send;
    ++b.limited;
    if (config_.slip != 0 && b.limited % config_.slip == 0) return Verdict::truncate;
    return Verdict::drop;
}

} // namespace srvd::query
