// DNS over TCP against the real binary (RFC 7766): pipelined queries on one
// connection, frames split across writes, the idle timeout and the
// connection cap.
#include "system/srvd_process.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

using namespace srvd;
using namespace srvd::test;

TEST_CASE("pipelined queries on one TCP connection are all answered, in order") {
    Server server("");
    int fd = connect_to(server.port());
    REQUIRE(fd >= 0);
    const char* names[] = {"_sip._udp.proxy-b.example.com.", "proxy-a.example.com.",
                           "nothere.example.com.", "ms3.example.com."};
    const std::uint16_t types[] = {dns::type::SRV, dns::type::NAPTR, dns::type::A, dns::type::AAAA};
    std::vector<std::uint8_t> all;
    for (std::uint16_t i = 0; i < 40; ++i) {
        auto f = frame(
            test::make_query(names[i % 4], types[i % 4], {}, static_cast<std::uint16_t>(1000 + i)));
        all.insert(all.end(), f.begin(), f.end());
    }
    REQUIRE(::write(fd, all.data(), all.size()) == static_cast<ssize_t>(all.size()));
    for (std::uint16_t i = 0; i < 40; ++i) {
        auto answer = read_answer(fd);
        REQUIRE(answer.size() > 12);
        CHECK(dns::get16(answer.data()) == 1000 + i);
        ldns_pkt* pkt = nullptr;
        REQUIRE(ldns_wire2pkt(&pkt, answer.data(), answer.size()) == LDNS_STATUS_OK);
        CHECK(ldns_pkt_get_rcode(pkt) == (i % 4 == 2 ? LDNS_RCODE_NXDOMAIN : LDNS_RCODE_NOERROR));
        ldns_pkt_free(pkt);
    }
    ::close(fd);
}

TEST_CASE("a TCP frame split across writes is reassembled") {
    Server server("");
    int fd = connect_to(server.port());
    REQUIRE(fd >= 0);
    auto f = frame(test::make_query("sip.example.com.", dns::type::NAPTR));
    for (std::uint8_t byte : f) {
        REQUIRE(::write(fd, &byte, 1) == 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    auto answer = read_answer(fd);
    CHECK(answer.size() > 500); // 3 NAPTR + 9 SRV + addresses: TCP carries it all
    ::close(fd);
}

TEST_CASE("idle TCP connections are closed after limits.tcp_idle_timeout") {
    Server server("limits: { tcp_idle_timeout: 300ms }\n");
    int fd = connect_to(server.port());
    REQUIRE(fd >= 0);
    auto f = frame(test::make_query("www.example.com.", dns::type::A));
    REQUIRE(::write(fd, f.data(), f.size()) == static_cast<ssize_t>(f.size()));
    CHECK(read_answer(fd).size() > 12);
    const auto start = std::chrono::steady_clock::now();
    CHECK(closed_by_peer(fd, 3000));
    const auto waited = std::chrono::steady_clock::now() - start;
    CHECK(waited >= std::chrono::milliseconds(250));
    ::close(fd);
}

TEST_CASE("over limits.tcp_clients the connection waiting longest on its client makes room") {
    Server server("limits: { tcp_clients: 3 }\nthreads: 1\n");
    auto f = frame(test::make_query("www.example.com.", dns::type::A));
    std::vector<int> held;
    for (int i = 0; i < 3; ++i) {
        int fd = connect_to(server.port());
        REQUIRE(fd >= 0);
        REQUIRE(::write(fd, f.data(), f.size()) == static_cast<ssize_t>(f.size()));
        CHECK(read_answer(fd).size() > 12);
        held.push_back(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(20)); // a clear accept order
    }
    // A fourth client: the oldest idle one (the first) is closed for it.
    int fourth = connect_to(server.port());
    REQUIRE(fourth >= 0);
    REQUIRE(::write(fourth, f.data(), f.size()) == static_cast<ssize_t>(f.size()));
    CHECK(read_answer(fourth).size() > 12);
    CHECK(closed_by_peer(held[0], 3000));
    // The others still answer.
    REQUIRE(::write(held[1], f.data(), f.size()) == static_cast<ssize_t>(f.size()));
    CHECK(read_answer(held[1]).size() > 12);

    // Connections in the middle of a query that stopped sending are no
    // busier than idle ones: the one silent the longest makes room for a
    // client that sends its whole query.
    const std::uint8_t half[1] = {0};
    for (int fd : {held[1], held[2], fourth}) {
        REQUIRE(::write(fd, half, 1) == 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    int fifth = connect_to(server.port());
    REQUIRE(fifth >= 0);
    REQUIRE(::write(fifth, f.data(), f.size()) == static_cast<ssize_t>(f.size()));
    CHECK(read_answer(fifth).size() > 12);
    CHECK(closed_by_peer(held[1], 3000)); // the first to go silent
    for (int fd : held) ::close(fd);
    ::close(fourth);
    ::close(fifth);
}

TEST_CASE("connections that send a byte and stop cannot keep out a client that sends a query") {
    Server server("limits: { tcp_clients: 64, tcp_clients_per_prefix: 1000 }\nthreads: 1\n");
    const std::uint8_t one[1] = {0};
    std::vector<int> held;
    for (int i = 0; i < 64; ++i) {
        int fd = connect_to(server.port());
        REQUIRE(fd >= 0);
        REQUIRE(::write(fd, one, 1) == 1);
        held.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto f = frame(test::make_query("www.example.com.", dns::type::A));
    for (int i = 0; i < 8; ++i) {
        int fd = connect_to(server.port());
        REQUIRE(fd >= 0);
        REQUIRE(::write(fd, f.data(), f.size()) == static_cast<ssize_t>(f.size()));
        CHECK(read_answer(fd).size() > 12);
        ::close(fd);
    }
    for (int fd : held) ::close(fd);
}

TEST_CASE("one client prefix holds at most limits.tcp_clients_per_prefix connections") {
    Server server("limits: { tcp_clients_per_prefix: 4 }\nthreads: 2\n");
    auto f = frame(test::make_query("www.example.com.", dns::type::A));
    std::vector<int> held;
    for (int i = 0; i < 4; ++i) {
        int fd = connect_to(server.port(), "127.0.0.1");
        REQUIRE(fd >= 0);
        REQUIRE(::write(fd, f.data(), f.size()) == static_cast<ssize_t>(f.size()));
        CHECK(read_answer(fd).size() > 12);
        held.push_back(fd);
    }
    // A fifth from the same /24 is closed; another /24 is served.
    int over = connect_to(server.port(), "127.0.0.9");
    REQUIRE(over >= 0);
    CHECK(closed_by_peer(over, 3000));
    ::close(over);
    int other = connect_to(server.port(), "127.0.1.1");
    REQUIRE(other >= 0);
    REQUIRE(::write(other, f.data(), f.size()) == static_cast<ssize_t>(f.size()));
    CHECK(read_answer(other).size() > 12);
    ::close(other);
    // A connection closed gives its place back.
    ::close(held.back());
    held.pop_back();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int again = connect_to(server.port(), "127.0.0.1");
    REQUIRE(again >= 0);
    REQUIRE(::write(again, f.data(), f.size()) == static_cast<ssize_t>(f.size()));
    CHECK(read_answer(again).size() > 12);
    ::close(again);
    for (int fd : held) ::close(fd);
}

TEST_CASE("the connection cap spans workers: an idle connection on another worker makes room") {
    // Two workers, each with its own SO_REUSEPORT listener: the kernel
    // spreads connections between them by their addresses and ports, so the
    // idle connections may all be on one worker while a new one reaches the
    // other. Each new client must still be answered.
    Server server("limits: { tcp_clients: 2 }\nthreads: 2\n");
    auto f = frame(test::make_query("www.example.com.", dns::type::A));
    std::vector<int> open;
    int answered = 0;
    for (int i = 0; i < 20; ++i) {
        int fd = connect_to(server.port());
        REQUIRE(fd >= 0);
        REQUIRE(::write(fd, f.data(), f.size()) == static_cast<ssize_t>(f.size()));
        const auto answer = read_answer(fd);
        if (answer.size() > 12 && (answer[3] & 0x0f) == 0 && dns::get16(answer.data() + 6) == 1)
            ++answered;
        open.push_back(fd); // left idle: the next client needs its place
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(answered == 20);
    for (int fd : open) ::close(fd);
}

TEST_CASE("a client that pipelines without reading stalls neither the worker nor memory") {
    Server server("threads: 1\n");
    int greedy = connect_to(server.port());
    REQUIRE(greedy >= 0);
    int nonblocking = 1;
    ::ioctl(greedy, FIONBIO, &nonblocking);
    auto f = frame(test::make_query("sip.example.com.", dns::type::NAPTR));
    // Write until the kernel says the buffers are full (EAGAIN), for at most
    // 10 s: srvd must stop reading once its answers cannot be written, rather
    // than read and queue them without bound. If it kept reading, EAGAIN
    // would never come (or srvd's memory would show it).
    const long rss_before = rss_kib(server.pid());
    REQUIRE(rss_before > 0);
    std::size_t written = 0;
    bool full = false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!full && std::chrono::steady_clock::now() < deadline) {
        const ssize_t n = ::write(greedy, f.data(), f.size());
        if (n > 0) {
            written += static_cast<std::size_t>(n);
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            // Give srvd a moment to read more, if it would; full only when it stays full.
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            full = ::write(greedy, f.data(), f.size()) < 0 && errno == EAGAIN;
        } else {
            FAIL("write: ", std::strerror(errno));
        }
    }
    CHECK_MESSAGE(full, "still writable after ", written, " bytes in 10 s");
    const long growth = rss_kib(server.pid()) - rss_before;
    MESSAGE(written, " bytes written before EAGAIN; srvd's RSS grew ", growth, " KiB");
    CHECK(growth < 16 * 1024);
    // Another client on the same (only) worker is still answered at once.
    int other = connect_to(server.port());
    REQUIRE(other >= 0);
    auto q = frame(test::make_query("www.example.com.", dns::type::A));
    REQUIRE(::write(other, q.data(), q.size()) == static_cast<ssize_t>(q.size()));
    const auto answer = read_answer(other);
    REQUIRE(answer.size() > 12);
    CHECK((answer[3] & 0x0f) == 0);            // NOERROR
    CHECK(dns::get16(answer.data() + 6) == 1); // the A record
    ::close(other);
    ::close(greedy);
}
