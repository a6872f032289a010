// Every metric srvd exports goes through one writer of the Prometheus text
// format: HELP and TYPE per family, label values escaped.
#include "metrics/prometheus_text.hpp"

#include <doctest/doctest.h>

using srvd::metrics::PrometheusText;

TEST_CASE("prometheus text: a family, samples with and without labels") {
    PrometheusText out;
    out.family("srvd_x_total", "counter", "Things counted.");
    out.sample("srvd_x_total", {}, std::uint64_t{3});
    out.sample("srvd_x_total", {{"zone", "example.com."}, {"server", "ms1"}}, std::uint64_t{7});
    out.sample("srvd_rtt_seconds", {{"zone", "a."}}, 0.0125);
    CHECK(out.text() == "# HELP srvd_x_total Things counted.\n# TYPE srvd_x_total counter\n"
                        "srvd_x_total 3\n"
                        "srvd_x_total{zone=\"example.com.\",server=\"ms1\"} 7\n"
                        "srvd_rtt_seconds{zone=\"a.\"} 0.012500\n");
}

TEST_CASE("prometheus text: label values escape backslash, quote and newline") {
    PrometheusText out;
    out.sample("m", {{"label", "a\\b\"c\nd"}}, std::uint64_t{1});
    CHECK(out.text() == "m{label=\"a\\\\b\\\"c\\nd\"} 1\n");
    PrometheusText help;
    help.family("m", "gauge", "two\nlines");
    CHECK(help.text() == "# HELP m two lines\n# TYPE m gauge\n");
}
