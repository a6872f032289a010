// The listeners in process: a real UdpListener on its own thread and a real
// TcpListener on an io_context, bound to loopback port 0, asked by plain
// sockets. They answer from the snapshot published to the holder (and from
// the next one once it is published), let junk pass without stopping, and
// close promptly.
#include "metrics/counters.hpp"
#include "net/tcp_listener.hpp"
#include "net/udp_listener.hpp"
#include "support/test_support.hpp"
#include "zone/snapshot/snapshot_holder.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

using namespace srvd;
namespace asio = boost::asio;

namespace {

std::string policy(const std::string& www) {
    return "zone: l.example\nsoa: { primary: ns1.l.example, contact: h.l.example, serial: 1 }\n"
           "nameservers: { ns1: [192.0.2.1] }\nrecords: [\"www IN A " +
           www + "\"]\n";
}

// A client socket on loopback, connected to `port` (UDP or TCP).
struct Client {
    int fd;
    Client(int type, std::uint16_t port) : fd(::socket(AF_INET, type, 0)) {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
    }
    ~Client() { ::close(fd); }
    void send(const std::vector<std::uint8_t>& bytes) const {
        REQUIRE(::send(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
    }
    // Up to `size` bytes within `wait_ms`; empty on timeout or end of stream.
    std::vector<std::uint8_t> receive(std::size_t size = 65535, int wait_ms = 2000) const {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, wait_ms) != 1) return {};
        std::vector<std::uint8_t> out(size);
        const ssize_t n = ::recv(fd, out.data(), out.size(), 0);
        out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        return out;
    }
    // A whole TCP frame's message.
    std::vector<std::uint8_t> receive_frame() const {
        std::vector<std::uint8_t> length;
        while (length.size() < 2) {
            auto more = receive(2 - length.size());
            if (more.empty()) return {};
            length.insert(length.end(), more.begin(), more.end());
        }
        std::vector<std::uint8_t> message;
        const std::size_t want = length[0] << 8 | length[1];
        while (message.size() < want) {
            auto more = receive(want - message.size());
            if (more.empty()) return {};
            message.insert(message.end(), more.begin(), more.end());
        }
        return message;
    }
};

// The A record's address in an answer, or "" when there is none.
std::string address_in(const std::vector<std::uint8_t>& answer) {
    ldns_pkt* pkt = nullptr;
    if (answer.empty() || ldns_wire2pkt(&pkt, answer.data(), answer.size()) != LDNS_STATUS_OK)
        return "";
    std::string out;
    if (ldns_pkt_ancount(pkt) == 1) {
        char* text = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(pkt), 0), 0));
        out = text;
        free(text);
    }
    ldns_pkt_free(pkt);
    return out;
}

std::vector<std::uint8_t> framed(const std::vector<std::uint8_t>& message) {
    std::vector<std::uint8_t> out{static_cast<std::uint8_t>(message.size() >> 8),
                                  static_cast<std::uint8_t>(message.size())};
    out.insert(out.end(), message.begin(), message.end());
    return out;
}

} // namespace

TEST_CASE("UDP listener: answers from the published snapshot, passes junk by, closes at once") {
    zone::SnapshotHolder holder;
    holder.publish(test::compile_policy(policy("192.0.2.80")));
    asio::io_context io;
    metrics::WorkerCounters counters;
    net::UdpListener udp(io, {asio::ip::make_address("127.0.0.1"), 0}, holder, counters,
                         std::make_shared<query::RrlTable>(),
                         std::make_shared<query::SigningQuota>());
    REQUIRE(udp.port() != 0);
    std::thread worker([&] { udp.run(); });
    Client c(SOCK_DGRAM, udp.port());
    const auto query = test::make_query("www.l.example.", LDNS_RR_TYPE_A);
    c.send(query);
    CHECK(address_in(c.receive()) == "192.0.2.80");

    // Junk: a byte, a header's worth of 0xff (a response), a response to
    // our query: dropped. A query cut inside its question: FORMERR (its
    // header is a query's). Then the query is answered as before.
    c.send({0});
    c.send(std::vector<std::uint8_t>(12, 0xff));
    auto response = query;
    response[2] |= 0x80;
    c.send(response);
    CHECK(c.receive(65535, 200).empty());
    c.send(std::vector<std::uint8_t>(query.begin(), query.begin() + 15));
    const auto formerr = c.receive();
    REQUIRE(formerr.size() >= 12);
    CHECK((formerr[0] == query[0] && formerr[1] == query[1]));
    CHECK((formerr[3] & 0x0f) == LDNS_RCODE_FORMERR);
    c.send(query);
    CHECK(address_in(c.receive()) == "192.0.2.80");

    // A new snapshot is what the next query is answered from.
    holder.publish(test::compile_policy(policy("192.0.2.81")));
    c.send(query);
    CHECK(address_in(c.receive()) == "192.0.2.81");
    // Counted as UDP answers: the three answers and the FORMERR.
    std::uint64_t answered = 0;
    for (const auto& n : counters.answers[0]) answered += n.load();
    CHECK(answered == 4);

    const auto start = std::chrono::steady_clock::now();
    udp.close();
    worker.join();
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(500));
}

TEST_CASE("TCP listener: pipelined queries answered in order, and close ends every connection") {
    zone::SnapshotHolder holder;
    holder.publish(test::compile_policy(policy("192.0.2.80")));
    asio::io_context io, transfers;
    metrics::WorkerCounters counters;
    net::TcpLimits limits;
    limits.max_clients = 8;
    limits.max_per_prefix = 8;
    limits.idle_timeout = std::chrono::milliseconds(5000);
    auto tcp = std::make_shared<net::TcpListener>(
        io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), holder, limits,
        counters, transfers.get_executor(), std::make_shared<query::SigningQuota>());
    limits.listeners.push_back(tcp.get());
    tcp->start();
    auto work = asio::make_work_guard(io);
    std::thread worker([&] { io.run(); });

    Client c(SOCK_STREAM, tcp->port());
    // Two queries in one write, the second with another id: both answered,
    // the first first (RFC 7766 allows either; srvd answers in order).
    auto first = test::make_query("www.l.example.", LDNS_RR_TYPE_A, {}, 0x0101);
    auto second = test::make_query("www.l.example.", LDNS_RR_TYPE_A, {}, 0x0202);
    auto both = framed(first);
    const auto more = framed(second);
    both.insert(both.end(), more.begin(), more.end());
    c.send(both);
    const auto a = c.receive_frame(), b = c.receive_frame();
    REQUIRE(a.size() > 2);
    REQUIRE(b.size() > 2);
    CHECK((a[0] == 0x01 && a[1] == 0x01));
    CHECK((b[0] == 0x02 && b[1] == 0x02));
    CHECK(address_in(a) == "192.0.2.80");

    // A frame announcing more than it sends is not answered; close() ends
    // the connection rather than leaving it to the idle timeout.
    c.send({0x00, 0x40, 0x12});
    asio::post(io, [&] { tcp->close(); });
    const auto start = std::chrono::steady_clock::now();
    CHECK(c.receive().empty()); // end of stream
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1000));
    work.reset();
    io.stop();
    worker.join();
}
