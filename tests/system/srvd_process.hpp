#pragma once
// The real srvd binary started on a free loopback port for a system test,
// and the socket helpers those tests share.
#include "dns/wire.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace srvd::test {

// Whether a socket of `type` can bind 127.0.0.1:port right now.
inline bool bindable(int type, int port) {
    const int fd = ::socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// A port free for UDP and TCP, below the kernel's ephemeral range (as
// lib.sh's free_port): a port the kernel hands out as "free" is one it will
// next give a client as its source port, and srvd refuses to share it.
inline int free_port() {
    int low = 32768;
    std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> low;
    if (low <= 12000) low = 32768;
    static unsigned seed = static_cast<unsigned>(::getpid());
    for (int i = 0; i < 200; ++i) {
        const int port =
            10000 + static_cast<int>(::rand_r(&seed) % static_cast<unsigned>(low - 10000));
        if (bindable(SOCK_DGRAM, port) && bindable(SOCK_STREAM, port)) return port;
    }
    FAIL("no free port below the ephemeral range");
    return 0;
}

// A TCP connection to srvd on loopback, from `source` (another loopback
// address: another client prefix) when given.
inline int connect_to(int port, const char* source = nullptr) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (source) {
        sockaddr_in from{};
        from.sin_family = AF_INET;
        ::inet_pton(AF_INET, source, &from.sin_addr);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
            ::close(fd);
            return -1;
        }
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    timeval tv{5, 0}; // no test may hang on a silent server
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

class Server {
  public:
    // `limits`: more of the configuration; `zone`: the zone policy served
    // (the example zone when empty).
    explicit Server(const std::string& limits, const std::string& zone = "") : port_(free_port()) {
        const std::string conf =
            dir_.write("srvd.yaml",
                       "zones: [" + (zone.empty() ? SRVD_SOURCE "/zones/example.com.yaml" : zone) +
                           "]\n" + limits);
        const std::string listen = "127.0.0.1:" + std::to_string(port_);
        pid_ = ::fork();
        if (pid_ == 0) {
            // A test killed outright must not leave its server running.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::execl(SRVD_BINARY, "srvd", "serve", "-c", conf.c_str(), "--allow-root", "--listen",
                    listen.c_str(), nullptr);
            ::_exit(127);
        }
        for (int i = 0; i < 100; ++i) {
            int fd = connect_to(port_);
            if (fd >= 0) {
                ::close(fd);
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        FAIL("srvd did not start");
    }
    // SIGTERM, then srvd must exit 0 within 15 s: a sanitizer build reports
    // leaks and shutdown errors through the exit status (abort_on_error).
    ~Server() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        pid_t done = 0;
        for (int i = 0; i < 300 && done == 0; ++i) {
            done = ::waitpid(pid_, &status, WNOHANG);
            if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (done == 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            FAIL_CHECK("srvd still running 15 s after SIGTERM");
            return;
        }
        CHECK_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0),
                      "srvd exit status after SIGTERM: ", status);
    }
    int port() const { return port_; }
    pid_t pid() const { return pid_; }

  private:
    test::TempDir dir_;
    int port_;
    pid_t pid_ = -1;
};

// A process's resident memory in KiB, from /proc; -1 when unreadable.
inline long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

inline std::vector<std::uint8_t> frame(const std::vector<std::uint8_t>& query) {
    std::vector<std::uint8_t> out;
    out.reserve(2 + query.size());
    out.push_back(static_cast<std::uint8_t>(query.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(query.size()));
    for (std::uint8_t b : query) out.push_back(b);
    return out;
}

inline bool read_exact(int fd, std::uint8_t* p, std::size_t n) {
    while (n > 0) {
        ssize_t got = ::read(fd, p, n);
        if (got <= 0) return false;
        p += got;
        n -= static_cast<std::size_t>(got);
    }
    return true;
}

// Reads one framed answer; empty when the server closed the connection.
inline std::vector<std::uint8_t> read_answer(int fd) {
    std::uint8_t len[2];
    if (!read_exact(fd, len, 2)) return {};
    std::vector<std::uint8_t> body(dns::get16(len));
    if (!read_exact(fd, body.data(), body.size())) return {};
    return body;
}

inline bool closed_by_peer(int fd, int within_ms) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, within_ms) <= 0) return false;
    std::uint8_t b;
    return ::read(fd, &b, 1) == 0;
}

} // namespace srvd::test
