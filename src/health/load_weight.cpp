#include "health/load_weight.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace srvd::health {

std::uint16_t LoadWeight::target() const {
    const double span = config_.max_weight - config_.min_weight;
    return static_cast<std::uint16_t>(
        std::lround(config_.max_weight - span * average_.value_or(0) / 100));
}

bool LoadWeight::reading(double load, Clock::time_point now) {
    if (!std::isfinite(load)) return silence(now);
    load = std::clamp(load, 0.0, 100.0);
    last_ = load;
    last_reading_ = now;
    stale_ = false;
    average_ = average_ ? *average_ + config_.smoothing * (load - *average_) : load;
    const std::uint16_t next = target();
    const bool due = now - last_change_ >= std::chrono::milliseconds(config_.every_ms);
    const bool moved =
        published_ && std::abs(int{next} - int{*published_}) > int{config_.hysteresis};
    if (published_ && !(due && moved)) return false;
    published_ = next;
    last_change_ = now;
    return true;
}

bool LoadWeight::silence(Clock::time_point now) {
    if (!average_ || now - last_reading_ < stale_after_) return false;
    average_.reset();
    stale_ = true;
    const bool changed = published_.has_value();
    published_.reset();
    return changed;
}

std::string LoadWeight::why() const {
    char text[128];
    if (!published_)
        return stale_ ? "load source silent: configured weights"
                      : "no load reading yet: configured weights";
    std::snprintf(text, sizeof text, "load %.0f%% (average %.0f%%): weight %u", last_,
                  average_.value_or(0), unsigned{*published_});
    return text;
}

} // namespace srvd::health
