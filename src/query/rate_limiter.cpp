#include "query/rate_limiter.hpp"

namespace srvd::query {

RateLimiter::RateLimiter(const RateLimitConfig& config, std::shared_ptr<RrlTable> table)
    : config_(config), table_(table ? std::move(table) : std::make_shared<RrlTable>()) {}

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
    const std::uint64_t h = key * 0x9e3779b97f4a7c15ULL;
    RrlTable::Bucket& b = table_->buckets_[(h >> 40) & (RrlTable::size - 1)];
    const std::uint64_t second = (now & 0xffffffff) << 32;
    std::uint64_t window = b.window.load(std::memory_order_relaxed);
    std::uint64_t count;
    if (b.key.load(std::memory_order_relaxed) != key || (window & ~0xffffffffULL) != second) {
        // A new second, or another prefix in this bucket: count afresh. If
        // another worker got there first, count on top of it.
        b.key.store(key, std::memory_order_relaxed);
        // `limited` runs on across seconds, so that slip N alternates exactly
        // over a flood rather than restarting each second.
        if (b.window.compare_exchange_strong(window, second | 1, std::memory_order_relaxed)) {
            count = 1;
        } else {
            count = (b.window.fetch_add(1, std::memory_order_relaxed) & 0xffffffff) + 1;
        }
    } else {
        count = (b.window.fetch_add(1, std::memory_order_relaxed) & 0xffffffff) + 1;
    }
    if (count <= config_.responses_per_second) return Verdict::send;
    const std::uint32_t limited = b.limited.fetch_add(1, std::memory_order_relaxed) + 1;
    if (config_.slip != 0 && limited % config_.slip == 0) return Verdict::truncate;
    return Verdict::drop;
}

} // namespace srvd::query
