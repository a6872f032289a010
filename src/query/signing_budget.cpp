#include "query/signing_budget.hpp"

#include <chrono>

namespace srvd::query {

bool SigningQuota::take(std::uint64_t second) noexcept {
    const std::uint32_t rate = per_second_.load(std::memory_order_relaxed);
    if (rate == 0) return true;
    const std::uint64_t start = (second & 0xffffffff) << 32;
    std::uint64_t window = window_.load(std::memory_order_relaxed);
    for (;;) {
        // A new second starts at one; within the second, count up to the rate.
        const bool fresh = (window & ~0xffffffffULL) != start;
        const std::uint64_t used = fresh ? 0 : window & 0xffffffff;
        if (used >= rate) return false;
        if (window_.compare_exchange_weak(window, start | (used + 1), std::memory_order_relaxed))
            return true;
    }
}

bool SigningBudget::take() noexcept {
    // A clock read per signature: ~30 ns beside the signature's ~30 us.
    const auto second =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::steady_clock::now().time_since_epoch())
                                       .count());
    if (own_share_) {
        const std::uint32_t rate = quota_.per_tcp_client();
        if (second != second_) second_ = second, used_ = 0;
        if (rate != 0 && used_ >= rate) return false;
    }
    if (!quota_.take(second)) return false;
    ++used_;
    return true;
}

} // namespace srvd::query
