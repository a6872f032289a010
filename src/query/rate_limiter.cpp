#include "query/rate_limiter.hpp"

#include <sys/random.h>

namespace srvd::query {

RateLimiter::RateLimiter(const RateLimitConfig& config, std::shared_ptr<RrlTable> table)
    : config_(config), table_(table ? std::move(table) : std::make_shared<RrlTable>()) {}

namespace {

// A 64-bit finalizer (MurmurHash3's fmix64): every input bit reaches every
// output bit, so with secret words around it (RrlTable::bucket_of) where a
// key lands depends on the secret as a whole.
std::uint64_t mix(std::uint64_t x) noexcept {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

} // namespace

std::uint64_t RrlTable::random_secret() {
    std::uint64_t secret = 0;
    // getrandom(2) fails only before the kernel's pool is seeded, at boot.
    while (getrandom(&secret, sizeof secret, 0) != static_cast<ssize_t>(sizeof secret)) {
    }
    return secret;
}

RrlTable::RrlTable(std::uint64_t secret)
    : secret_{secret, mix(secret ^ 0x9e3779b97f4a7c15ULL)}, buckets_(size) {}

std::size_t RrlTable::bucket_of(std::uint64_t key) const noexcept {
    return mix(mix(key ^ secret_[0]) ^ secret_[1]) & (size - 1);
}

std::uint64_t RateLimiter::key_of(const engine::ClientAddress& client) const noexcept {
    // The client's prefix, with the family in the top bits.
    const std::uint8_t prefix = client.family == 4 ? config_.ipv4_prefix : config_.ipv6_prefix;
    std::uint64_t key = client.family;
    for (std::uint8_t i = 0; i < (client.family == 4 ? 4 : 8); ++i) {
        const int bits = static_cast<int>(prefix) - 8 * i;
        const std::uint8_t mask = bits >= 8   ? 0xff
                                  : bits <= 0 ? 0
                                              : static_cast<std::uint8_t>(0xff00 >> bits);
        key = (key << 8) | (client.bytes[i] & mask);
    }
    return key;
}

RateLimiter::Verdict RateLimiter::check(const engine::ClientAddress& client,
                                        std::uint64_t now) noexcept {
    if (config_.responses_per_second == 0 || client.family == 0) return Verdict::send;
    for (const auto& p : config_.exempt)
        if (in_prefix(client, p)) return Verdict::send;
    RrlTable::Bucket& b = table_->buckets_[table_->bucket_of(key_of(client))];
    const std::uint64_t second = (now & 0xffffffff) << 32;
    std::uint64_t window = b.window.load(std::memory_order_relaxed);
    std::uint64_t count;
    if ((window & ~0xffffffffULL) != second) {
        // A new second: count afresh. If another worker got there first,
        // count on top of it. `limited` runs on across seconds, so that
        // slip N alternates exactly over a flood rather than restarting
        // each second.
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
