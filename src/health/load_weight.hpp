#pragma once
// One media server's weight as its load makes it (health.load): readings
// of 0 (idle) to 100 (full) are averaged (an exponential moving average,
// `smoothing` the share of each new reading), mapped onto max_weight (idle)
// .. min_weight (full), and published only when the first reading comes, or
// when `every` has passed since the last change and the weight moved by
// more than `hysteresis`: phones that sort by weight see the same first
// place for minutes, not a new one at every probe. A source silent for
// `stale_after` gives the configured weights back. Pure: the clock is an
// argument, so tests drive it.
#include "config/zone_policy.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace srvd::health {

class LoadWeight {
  public:
    using Clock = std::chrono::steady_clock;
    LoadWeight(const config::LoadConfig& config, Clock::duration stale_after)
        : config_(config), stale_after_(stale_after) {}

    // A reading (clamped to 0..100). True when the published weight changed.
    bool reading(double load, Clock::time_point now);
    // The source did not answer. True when that gave the configured weights
    // back (silent for stale_after).
    bool silence(Clock::time_point now);

    // The weight in answers; nullopt: the configured weights stand.
    std::optional<std::uint16_t> weight() const { return published_; }
    // Why, for status: "load 63% (average 58%): weight 43", or why not.
    std::string why() const;

  private:
    std::uint16_t target() const;

    config::LoadConfig config_;
    Clock::duration stale_after_;
    std::optional<double> average_;
    double last_ = 0;
    Clock::time_point last_reading_{}, last_change_{};
    std::optional<std::uint16_t> published_;
    bool stale_ = false;
};

} // namespace srvd::health
