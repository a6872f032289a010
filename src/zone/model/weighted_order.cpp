#include "zone/model/weighted_order.hpp"

namespace srvd::zone {
namespace {

// splitmix64: a tiny, well-mixed generator, so the orders are the same on
// every machine and every run.
std::uint64_t next(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

} // namespace

std::vector<std::uint16_t> weighted_order(const std::vector<std::uint16_t>& weights,
                                          unsigned variant, unsigned variants) {
    const std::size_t n = weights.size();
    std::vector<std::uint64_t> w(weights.begin(), weights.end());
    std::uint64_t total = 0;
    for (auto x : w) total += x;
    if (total == 0) { // all zero: equal shares
        w.assign(n, 1);
        total = n;
    }
    std::vector<std::uint16_t> order;
    std::vector<bool> used(n, false);
    // First place: stratified, so over all variants each member leads in
    // proportion to its weight (zero-weight members never lead).
    const std::uint64_t target = (2 * static_cast<std::uint64_t>(variant) + 1) * total;
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < n; ++i) {
        cumulative += w[i];
        if (2 * static_cast<std::uint64_t>(variants) * cumulative > target) {
            order.push_back(static_cast<std::uint16_t>(i));
            used[i] = true;
            break;
        }
    }
    // The rest: RFC 2782's weighted selection, with a per-variant seed.
    std::uint64_t state = 0x5352564400000000ULL + variant;
    while (order.size() < n) {
        std::uint64_t remaining = 0;
        for (std::size_t i = 0; i < n; ++i)
            if (!used[i]) remaining += w[i];
        std::size_t pick = n;
        if (remaining == 0) {
            for (pick = 0; used[pick]; ++pick) {
            }
        } else {
            const std::uint64_t r = next(state) % remaining;
            std::uint64_t running = 0;
            for (std::size_t i = 0; i < n; ++i) {
                if (used[i]) continue;
                running += w[i];
                if (running > r) {
                    pick = i;
                    break;
                }
            }
        }
        order.push_back(static_cast<std::uint16_t>(pick));
        used[pick] = true;
    }
    return order;
}

} // namespace srvd::zone
