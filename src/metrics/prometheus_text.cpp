#include "metrics/prometheus_text.hpp"

#include <cstdio>

namespace srvd::metrics {

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
    out_.append("# HELP ").append(name).append(" ");
    for (char c : help) out_ += c == '\n' ? ' ' : c; // HELP is one line
    out_.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

void PrometheusText::sample_text(std::string_view name, Labels labels, std::string_view value) {
    out_.append(name);
    if (labels.size() != 0) {
        out_ += '{';
        bool first = true;
        for (const auto& [label, text] : labels) {
            if (!first) out_ += ',';
            first = false;
            out_.append(label).append("=\"");
            for (char c : text) {
                if (c == '\\')
                    out_ += "\\\\";
                else if (c == '"')
                    out_ += "\\\"";
                else if (c == '\n')
                    out_ += "\\n";
                else
                    out_ += c;
            }
            out_ += '"';
        }
        out_ += '}';
    }
    out_.append(" ").append(value).append("\n");
}

void PrometheusText::sample(std::string_view name, Labels labels, std::uint64_t value) {
    sample_text(name, labels, std::to_string(value));
}

void PrometheusText::sample(std::string_view name, Labels labels, double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6f", value);
    sample_text(name, labels, text);
}

} // namespace srvd::metrics
