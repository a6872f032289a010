// Hostile input against the real binary: tens of thousands of mutated and
// random UDP packets and hundreds of idle and half-sent TCP connections. The
// server must answer a real client throughout, close the idle connections
// after the timeout, and keep its resident memory bounded.
#include "system/srvd_process.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

using namespace srvd;
using namespace srvd::test;

namespace {

int udp_socket(int port, sockaddr_in& to) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    to = {};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

// One good query, answered within the socket's timeout?
bool answers(int fd, const sockaddr_in& to, std::uint16_t id) {
    auto q = test::make_query("_sip._udp.proxy-a.example.com.", dns::type::SRV, {}, id);
    ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    std::uint8_t buf[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return false;
        if (n <= 12 || dns::get16(buf) != id) continue; // skip answers to earlier probes
        // The real answer: NOERROR with the three SRV records, not merely a
        // reply with the right ID (a FORMERR or SERVFAIL would have one too).
        return (buf[3] & 0x0f) == 0 && dns::get16(buf + 6) == 3;
    }
}

// Mutations of real queries: bit flips, truncations, splices, and the
// classic malformations (compression loops, names over 255 octets).
std::vector<std::uint8_t> mutate(std::mt19937& rng,
                                 const std::vector<std::vector<std::uint8_t>>& seeds) {
    std::vector<std::uint8_t> p = seeds[rng() % seeds.size()];
    switch (rng() % 6) {
    case 0: // bit flips
        for (int i = 0, n = 1 + rng() % 8; i < n; ++i)
            p[rng() % p.size()] ^= static_cast<std::uint8_t>(1 << (rng() % 8));
        break;
    case 1: // truncation
        p.resize(rng() % p.size());
        break;
    case 2: // random bytes, random length
        p.resize(rng() % 600);
        for (auto& b : p) b = static_cast<std::uint8_t>(rng());
        break;
    case 3: // a compression loop in the question
        if (p.size() > 14) p[12] = 0xc0, p[13] = 12;
        break;
    case 4: { // a name over 255 octets
        std::vector<std::uint8_t> name;
        for (int i = 0; i < 6; ++i) {
            name.push_back(60);
            name.insert(name.end(), 60, 'x');
        }
        p.resize(12);
        p.insert(p.end(), name.begin(), name.end());
        p.insert(p.end(), {0, 0, 1, 0, 1});
        break;
    }
    default: // garbage appended
        for (int i = 0, n = 1 + rng() % 40; i < n; ++i)
            p.push_back(static_cast<std::uint8_t>(rng()));
    }
    return p;
}

} // namespace

TEST_CASE("mutated packets and idle TCP connections: still answering, connections reaped, memory "
          "bounded") {
    Server server("threads: 2\nlimits: { tcp_idle_timeout: 1s, tcp_clients: 1000, "
                  "tcp_clients_per_prefix: 1000 "
                  "}\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const long rss_before = rss_kib(server.pid());
    REQUIRE(rss_before > 0);

    // 300 TCP connections: half send nothing, a quarter stop in the middle of
    // a query's frame, a quarter announce 65535 bytes and send one.
    std::vector<int> held;
    const auto f = frame(test::make_query("proxy-b.example.com.", dns::type::NAPTR));
    for (int i = 0; i < 300; ++i) {
        int fd = connect_to(server.port());
        REQUIRE(fd >= 0);
        if (i % 4 == 3) {
            // Announces the largest frame and sends one byte of it.
            const std::uint8_t big[] = {0xff, 0xff, 0x12};
            REQUIRE(::write(fd, big, sizeof big) == 3);
        } else if (i % 2) {
            REQUIRE(::write(fd, f.data(), 1 + i % (f.size() - 1)) > 0);
        }
        held.push_back(fd);
    }
    const auto opened = std::chrono::steady_clock::now();
    // Memory while they are held (each has been accepted and, for half,
    // its partial frame read): a connection must not cost 128 KiB up front.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const long rss_held = rss_kib(server.pid());

    std::vector<std::vector<std::uint8_t>> seeds;
    for (const char* name :
         {"_sip._udp.proxy-a.example.com.", "sip.example.com.", "x.phones.example.com."})
        for (std::uint16_t type : {dns::type::SRV, dns::type::NAPTR, dns::type::A})
            seeds.push_back(test::make_query(name, type, {.ecs = "192.0.2.0/24"}));
    seeds.push_back(test::make_query("www.example.com.", dns::type::A, {.edns = false}));

    sockaddr_in to;
    int flood = udp_socket(server.port(), to);
    int probe = udp_socket(server.port(), to);
    ::fcntl(flood, F_SETFL, O_NONBLOCK);
    std::mt19937 rng(7);
    std::uint8_t sink[4096];
    int answered_probes = 0;
    const int packets = 60000;
    for (int i = 0; i < packets; ++i) {
        const auto p = mutate(rng, seeds);
        ::sendto(flood, p.data(), p.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        while (::recv(flood, sink, sizeof sink, 0) > 0) {
        } // drain what came back
        if (i % 2000 == 0) {
            answered_probes += answers(probe, to, static_cast<std::uint16_t>(i / 2000));
            std::this_thread::sleep_for(
                std::chrono::milliseconds(2)); // bounded rate: no self-inflicted loss
        }
    }
    CHECK(answered_probes == packets / 2000);

    // Every held connection is closed by the server after the idle timeout.
    int closed = 0;
    for (int fd : held) {
        const auto waited = std::chrono::steady_clock::now() - opened;
        const int left = std::max(
            0, 3000 - static_cast<int>(
                          std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()));
        closed += closed_by_peer(fd, left);
        ::close(fd);
    }
    CHECK(closed == 300);
    CHECK(std::chrono::steady_clock::now() - opened >= std::chrono::milliseconds(900));

    // Still answering, and memory did not grow with the abuse: under 16 MB
    // with the connections open and after the flood (Knot: 8 -> 8 MB).
    CHECK(answers(probe, to, 9999));
    const long rss_after = rss_kib(server.pid());
    CAPTURE(rss_before);
    CAPTURE(rss_held);
    CAPTURE(rss_after);
    CHECK(rss_held < rss_before + 16 * 1024);
    CHECK(rss_after < rss_before + 16 * 1024);
    MESSAGE("RSS " << rss_before << " KiB at start, " << rss_held << " KiB with 300 connections, "
                   << rss_after << " KiB after " << packets << " malformed packets");
    ::close(flood);
    ::close(probe);
}

namespace {

// A query signed with TSIG (RFC 8945), through ldns.
std::vector<std::uint8_t> tsig_query(const std::string& name, ldns_rr_type type, const char* key,
                                     const char* secret) {
    ldns_pkt* pkt = nullptr;
    REQUIRE(ldns_pkt_query_new_frm_str(&pkt, name.c_str(), type, LDNS_RR_CLASS_IN, 0) ==
            LDNS_STATUS_OK);
    ldns_pkt_set_id(pkt, 77);
    REQUIRE(ldns_pkt_tsig_sign(pkt, key, secret, 300, "hmac-sha256", nullptr) == LDNS_STATUS_OK);
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    REQUIRE(ldns_pkt2wire(&wire, pkt, &size) == LDNS_STATUS_OK);
    std::vector<std::uint8_t> out(wire, wire + size);
    free(wire);
    ldns_pkt_free(pkt);
    return out;
}

} // namespace

TEST_CASE("mutated DNSSEC (DO) and TSIG queries, over UDP and TCP, against a signed zone: still "
          "answering, memory bounded") {
    test::TempDir dir;
    REQUIRE(std::system(("cd '" + dir.path() +
                         "' && ldns-keygen -k -a ECDSAP256SHA256 example.com > key.out")
                            .c_str()) == 0);
    std::ifstream key_out(dir.path() + "/key.out");
    std::string key;
    std::getline(key_out, key);
    std::ifstream example(SRVD_SOURCE "/zones/example.com.yaml");
    std::stringstream policy;
    policy << example.rdbuf() << "dnssec: { keys: [" << key << "] }\n";
    const std::string zone = dir.write("example.com.yaml", policy.str());
    const char* secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";
    Server server(std::string("threads: 2\nkeys: { k.example: { algorithm: hmac-sha256, secret: ") +
                      secret +
                      " } }\ntransfer: { allow: [{ address: 127.0.0.1, key: k.example }] }\n",
                  zone);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const long rss_before = rss_kib(server.pid());

    std::vector<std::vector<std::uint8_t>> seeds;
    test::QueryOptions dnssec{.dnssec_ok = true};
    for (const char* name : {"missing.example.com.", "x.phones.example.com.",
                             "\\000.phones.example.com.", "sip.example.com."})
        for (std::uint16_t type :
             {dns::type::A, dns::type::NSEC, dns::type::RRSIG, dns::type::NAPTR})
            seeds.push_back(test::make_query(name, type, dnssec));
    seeds.push_back(tsig_query("example.com.", LDNS_RR_TYPE_SOA, "k.example.", secret));
    seeds.push_back(tsig_query("example.com.", LDNS_RR_TYPE_AXFR, "k.example.", secret));
    seeds.push_back(tsig_query("example.com.", LDNS_RR_TYPE_SOA, "unknown.", secret));

    sockaddr_in to;
    int flood = udp_socket(server.port(), to);
    int probe = udp_socket(server.port(), to);
    ::fcntl(flood, F_SETFL, O_NONBLOCK);
    std::mt19937 rng(11);
    std::uint8_t sink[65536];
    int answered = 0;
    for (int i = 0; i < 20000; ++i) {
        const auto p = mutate(rng, seeds);
        ::sendto(flood, p.data(), p.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        while (::recv(flood, sink, sizeof sink, 0) > 0) {
        }
        if (i % 2000 == 0) {
            answered += answers(probe, to, static_cast<std::uint16_t>(i / 2000));
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }
    CHECK(answered == 10);
    // The same over TCP: mutated queries in frames, on a few connections
    // that the server may close (a FORMERR stream, a transfer) and are made anew.
    int tcp = -1;
    for (int i = 0; i < 3000; ++i) {
        if (tcp < 0) {
            tcp = connect_to(server.port());
            REQUIRE(tcp >= 0);
            ::fcntl(tcp, F_SETFL, O_NONBLOCK);
        }
        const auto f = frame(mutate(rng, seeds));
        if (::send(tcp, f.data(), f.size(), MSG_NOSIGNAL) < 0 && errno != EAGAIN) {
            ::close(tcp);
            tcp = -1;
            continue;
        }
        while (::recv(tcp, sink, sizeof sink, 0) > 0) {
        }
        if (i % 100 == 99) { // a fresh connection now and then: half-sent frames end with it
            ::close(tcp);
            tcp = -1;
        }
    }
    if (tcp >= 0) ::close(tcp);
    CHECK(answers(probe, to, 4242));
    const long rss_after = rss_kib(server.pid());
    CAPTURE(rss_before);
    CAPTURE(rss_after);
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer holds freed memory in quarantine (256 MB at most):
    // the bound is looser, and still finds a leak per packet.
    CHECK(rss_after < rss_before + 64 * 1024);
#else
    CHECK(rss_after < rss_before + 16 * 1024);
#endif
    ::close(flood);
    ::close(probe);
}
