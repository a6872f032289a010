#include "util/log.hpp"

#include "util/iso_time.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace srvd::log {
namespace {

std::atomic<int> current{static_cast<int>(Level::info)};
// 0: not yet known, 1: journald, 2: anything else.
std::atomic<int> destination{0};

constexpr const char* names[] = {"debug", "info", "notice", "warning", "error"};
// syslog priorities: debug 7, info 6, notice 5, warning 4, err 3.
constexpr const char* journal_prefix[] = {"<7>debug: ", "<6>",
                                          "<5>notice: ", "<4>warning: ", "<3>error: "};

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
    return iso_time(std::chrono::system_clock::now(), true) + " " + names[static_cast<int>(level)] +
           ": ";
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

namespace {

class Writer;
Writer& writer();

// Lines are written to stderr by a thread of their own, never by the
// thread that logs: stderr may be a pipe nobody reads (a wrapper script, a
// stuck journald), and a packet thread blocked in write(2) stops answering
// (it did: UDP stopped after ~580 refused-transfer lines). The queue is
// bounded; past it lines are dropped and counted, and a run of one message
// repeated is written once with its count, as syslog does.
class Writer {
  public:
    void push(std::string line, std::size_t body_offset) {
        std::unique_lock lock(mutex_);
        if (!started_) start();
        if (queue_.size() >= capacity) {
            ++dropped_;
            return;
        }
        queue_.push_back({std::move(line), body_offset});
        lock.unlock();
        ready_.notify_one();
    }

    // Waits until what was logged is written, at most `limit` (a stuck
    // stderr must not hold up an exit).
    void flush(std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex_);
        idle_.wait_for(lock, limit, [&] { return queue_.empty() && !writing_; });
    }

  private:
    static constexpr std::size_t capacity = 4096;
    struct Line {
        std::string text;
        std::size_t body; // where the message starts, after the time and level
    };

    void start() {
        started_ = true;
        // Detached, and this object is never destroyed: at exit the thread
        // may still be blocked on a stuck stderr; exiting must not wait
        // for it, nor free what it uses.
        std::thread([this] { run(); }).detach();
        std::atexit([] { writer().flush(std::chrono::seconds(1)); });
    }

    void run() {
        std::string last_body;
        std::size_t repeats = 0;
        std::unique_lock lock(mutex_);
        for (;;) {
            ready_.wait(lock, [&] { return !queue_.empty(); });
            std::deque<Line> batch;
            batch.swap(queue_);
            const std::size_t dropped = std::exchange(dropped_, 0);
            writing_ = true;
            lock.unlock();
            std::string out;
            for (Line& line : batch) {
                const std::string_view body = std::string_view(line.text).substr(line.body);
                if (body == last_body) {
                    ++repeats;
                    continue;
                }
                if (repeats)
                    out += line.text.substr(0, line.body) + "last message repeated " +
                           std::to_string(repeats) + " times\n";
                repeats = 0;
                last_body = body;
                out += line.text;
            }
            if (dropped)
                out += std::to_string(dropped) +
                       " log lines dropped: stderr did not keep up with srvd's log\n";
            write_all(out);
            lock.lock();
            writing_ = false;
            if (queue_.empty()) idle_.notify_all();
        }
    }

    static void write_all(const std::string& text) {
        for (std::size_t at = 0; at < text.size();) {
            const ssize_t n = ::write(STDERR_FILENO, text.data() + at, text.size() - at);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return; // nowhere to log to: nothing else to do
            at += static_cast<std::size_t>(n);
        }
    }

    friend Writer& writer();
    std::mutex mutex_;
    std::condition_variable ready_, idle_;
    std::deque<Line> queue_;
    std::size_t dropped_ = 0;
    bool started_ = false, writing_ = false;
};

Writer& writer() {
    static Writer* w = new Writer; // never destroyed: see Writer::start
    return *w;
}

} // namespace

void write(Level level, std::string_view message) {
    if (static_cast<int>(level) < current.load(std::memory_order_relaxed)) return;
    std::string line = to_journal() ? std::string(journal_prefix[static_cast<int>(level)])
                                    : timestamp_prefix(level);
    const std::size_t body = line.size();
    line.append(message);
    line.push_back('\n');
    writer().push(std::move(line), body);
}

void flush() {
    writer().flush(std::chrono::seconds(1));
}

} // namespace srvd::log
