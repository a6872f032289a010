#include "util/log.hpp"

#include <atomic>
#include <cstdio>
#include <string>

namespace srvd::log {
namespace {
std::atomic<int> current{static_cast<int>(Level::info)};
// systemd's <N> prefixes let journald keep the severity of each line.
constexpr const char* prefix[] = {"<7>debug: ", "<6>", "<4>warning: ", "<3>error: "};
} // namespace

void set_level(Level level) {
    current.store(static_cast<int>(level));
}

bool parse_level(std::string_view text, Level& out) {
    static constexpr std::string_view names[] = {"debug", "info", "warning", "error"};
    for (int i = 0; i < 4; ++i)
        if (text == names[i]) {
            out = static_cast<Level>(i);
            return true;
        }
    return false;
}

void write(Level level, std::string_view message) {
    if (static_cast<int>(level) < current.load(std::memory_order_relaxed)) return;
    std::string line = prefix[static_cast<int>(level)];
    line.append(message);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace srvd::log
