#pragma once
// Leveled logging to stderr, one line per event. Under systemd (JOURNAL_STREAM
// set) each line starts with its syslog priority as <N>, which journald
// strips and keeps as the severity (it adds its own timestamps); elsewhere
// (a terminal, a file, a container log) each line starts with an ISO 8601 UTC
// timestamp and the severity word.
#include <string_view>

namespace srvd::log {

enum class Level { debug = 0, info = 1, notice = 2, warning = 3, error = 4 };

void set_level(Level level);
bool parse_level(std::string_view text, Level& out);
// Queues the line for a writer thread: never blocks on stderr (see log.cpp).
void write(Level level, std::string_view message);
// Waits (at most a second) until what was logged is written: before an
// exit, or before printing to stderr directly.
void flush();
// Re-reads JOURNAL_STREAM (tests; the process reads it at its first line).
void detect_journal();

inline void debug(std::string_view m) {
    write(Level::debug, m);
}
inline void info(std::string_view m) {
    write(Level::info, m);
}
// Normal but significant: the server is up, a media server is back.
inline void notice(std::string_view m) {
    write(Level::notice, m);
}
inline void warning(std::string_view m) {
    write(Level::warning, m);
}
inline void error(std::string_view m) {
    write(Level::error, m);
}

} // namespace srvd::log
