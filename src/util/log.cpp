#include "util/log.hpp"

#include "util/iso_time.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace srvd::log {
namespace {

std::atomic<int> current{static_cast<int>(Level::info)};
// 0: not yet known, 1: journald, 2: anything else.
std::atomic<int> destination{0};

constexpr const char* names[] = {"debug", "info", "notice", "warning", "error"};
// syslog priorities: debug 7, info 6, notice 5, warning 4, err 3.
constexpr const char* journal_prefix[] = {"<7>debug: ", "<6>", "<5>notice: ", "<4>warning: ",
                                          "<3>error: "};

bool to_journal() {
    int d = destination.load(std::memory_order_relaxed);
    if (d == 0) {
        detect_journal();
        d = destination.load(std::memory_order_relaxed);
    }
    return d == 1;
}

// "2026-12-02T04:22:13.123Z info: "
std::string timestamp_prefix(Level level) {
    return iso_time(std::chrono::system_clock::now(), true) + " " +
           names[static_cast<int>(level)] + ": ";
}

} // namespace

// As systemd.exec(5) says: JOURNAL_STREAM holds "DEVICE:INODE" of the
// stream journald gave the service; it counts only if stderr is still that
// stream (not redirected to a file by a script the service runs).
void detect_journal() {
    bool journal = false;
    unsigned long long device = 0, inode = 0;
    struct stat st {};
    if (const char* stream = std::getenv("JOURNAL_STREAM");
        stream && std::sscanf(stream, "%llu:%llu", &device, &inode) == 2 &&
        ::fstat(STDERR_FILENO, &st) == 0)
        journal = st.st_dev == device && st.st_ino == inode;
    destination.store(journal ? 1 : 2, std::memory_order_relaxed);
}

void set_level(Level level) {
    current.store(static_cast<int>(level));
}

bool parse_level(std::string_view text, Level& out) {
    for (int i = 0; i < 5; ++i)
        if (text == names[i]) {
            out = static_cast<Level>(i);
            return true;
        }
    return false;
}

void write(Level level, std::string_view message) {
    if (static_cast<int>(level) < current.load(std::memory_order_relaxed)) return;
    std::string line = to_journal() ? std::string(journal_prefix[static_cast<int>(level)])
                                    : timestamp_prefix(level);
    line.append(message);
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace srvd::log
