#pragma once
// Minimal leveled logging to stderr: one line per event, a format journald keeps
// as is (it adds its own timestamps), so no timestamp of our own.
#include <string_view>

namespace srvd::log {

enum class Level { debug = 0, info = 1, warning = 2, error = 3 };

void set_level(Level level);
bool parse_level(std::string_view text, Level& out);
void write(Level level, std::string_view message);

inline void debug(std::string_view m) {
    write(Level::debug, m);
}
inline void info(std::string_view m) {
    write(Level::info, m);
}
inline void warning(std::string_view m) {
    write(Level::warning, m);
}
inline void error(std::string_view m) {
    write(Level::error, m);
}

} // namespace srvd::log
