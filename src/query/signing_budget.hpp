#pragma once
// Online signing's budget (#25): a flood of missing names over TCP (which
// rate limiting does not see) or from many spoofed prefixes made srvd sign
// 7,700-9,400 denials a second, most of a core. A shared quota caps what
// every client together may have signed per second, and a TCP client has
// its own share within it; over either, the query is answered SERVFAIL
// and counted, and every other query keeps its answer.
#include "engine/signing_budget.hpp"

#include <atomic>
#include <cstdint>

namespace srvd::query {

// Shared by every worker. Rates may change at run time (a reload).
class SigningQuota {
  public:
    // Queries signed per second for all clients, and per TCP connection;
    // 0: no limit.
    void set_rates(std::uint32_t per_second, std::uint32_t per_tcp_client) {
        per_second_.store(per_second, std::memory_order_relaxed);
        per_tcp_client_.store(per_tcp_client, std::memory_order_relaxed);
    }
    std::uint32_t per_tcp_client() const { return per_tcp_client_.load(std::memory_order_relaxed); }
    // One more in `second` (a monotonic clock's), if the quota has room.
    bool take(std::uint64_t second) noexcept;

  private:
    std::atomic<std::uint32_t> per_second_{0}, per_tcp_client_{0};
    std::atomic<std::uint64_t> window_{0}; // second << 32 | signed in it
};

// One listener's or one TCP connection's budget within the quota (one
// thread uses it). `own_share`: whether a per-client rate applies.
class SigningBudget final : public engine::SigningBudget {
  public:
    SigningBudget(SigningQuota& quota, bool own_share) : quota_(quota), own_share_(own_share) {}
    bool take() noexcept override;

  private:
    SigningQuota& quota_;
    bool own_share_;
    std::uint64_t second_ = 0;
    std::uint32_t used_ = 0;
};

} // namespace srvd::query
