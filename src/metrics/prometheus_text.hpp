#pragma once
// The Prometheus text exposition format (0.0.4), written in one place for
// every metric srvd exports: a family's HELP and TYPE lines, then its
// samples, label values escaped as the format requires.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace srvd::metrics {

class PrometheusText {
  public:
    using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

    // Starts a family: `type` is counter, gauge or histogram.
    void family(std::string_view name, std::string_view type, std::string_view help);
    void sample(std::string_view name, Labels labels, std::uint64_t value);
    void sample(std::string_view name, Labels labels, double value);
    // A value already formatted ("+Inf" bounds, fixed decimals).
    void sample_text(std::string_view name, Labels labels, std::string_view value);

    const std::string& text() const { return out_; }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

} // namespace srvd::metrics
