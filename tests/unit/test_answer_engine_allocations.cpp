// The packet path allocates nothing: every allocation made while the engine
// answers a batch of queries is counted, and the count must be zero. A test
// binary of its own, since it replaces the global operator new and (outside
// sanitizer builds, whose runtime owns malloc) malloc, calloc and realloc:
// ldns and libc allocate with those, not with new.
#include "dns/wire.hpp"
#include "engine/answer_engine.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0};
} // namespace

#if !defined(__SANITIZE_ADDRESS__)
// glibc lets a program replace malloc; these count and hand on to glibc's own,
// so free stays glibc's and matches.
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* malloc(std::size_t n) {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
    return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
    return __libc_realloc(p, n);
}
}
constexpr bool counts_malloc = true;
#else
constexpr bool counts_malloc = false;
#endif

// GCC cannot see that these replace the global operators as a set.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    return operator new(n);
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept {
    return operator new(n, t);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

using namespace srvd;

TEST_CASE("answering a batch of queries allocates nothing") {
    config::GeoIpConfig geo;
    geo.database = SRVD_TEST_GEO_DIR "/test-city.mmdb";
    test::TempDir dir;
    auto snapshot = test::compile_policy(R"(
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
media_servers:
  ms1: { addresses: [192.0.2.11] }
  ms2: { addresses: [192.0.2.12, "2001:db8::12"] }
regions: { east: { match: [US-NY] }, west: { match: [US-CA] } }
default_region: east
proxies:
  p: { transports: [udp, tcp, tls], targets: { east: [{ms1: 60, ms2: 40}], west: [ms2, ms1] } }
records: ["www IN A 192.0.2.80", "*.w IN TXT \"x\"", "sub IN NS ns.sub", "ns.sub IN A 192.0.2.9"]
)",
                                         1232, &geo);

    struct Q {
        std::vector<std::uint8_t> wire;
        std::string client;
        engine::Protocol protocol;
    };
    std::vector<Q> queries;
    auto add = [&](const char* name, std::uint16_t type, test::QueryOptions o) {
        queries.push_back({test::make_query(name, type, o), o.client, o.protocol});
    };
    add("_sip._udp.p.example.com.", dns::type::SRV, {});
    add("p.example.com.", dns::type::NAPTR, {.edns = false});
    add("p.example.com.", dns::type::NAPTR, {.protocol = engine::Protocol::tcp});
    add("_sips._tcp.p.example.com.", dns::type::SRV,
        {.client = "127.0.1.1", .ecs = "192.0.2.0/24"});
    add("p.example.com.", dns::type::AAAA, {.client = "2001:db8:2::1", .ecs = "2001:db8:1::/48"});
    add("nothere.example.com.", dns::type::A, {});
    add("a.b.w.example.com.", dns::type::TXT, {});
    add("x.sub.example.com.", dns::type::A, {});
    add("www.example.org.", dns::type::A, {});
    add("www.example.com.", dns::type::A, {.edns_version = 3});
    queries.push_back({{0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1},
                       "127.0.0.1",
                       engine::Protocol::udp}); // FORMERR
    // NOTIMP (opcode STATUS) with an OPT asking for NSID: question and OPT echoed.
    auto status = test::make_query("www.example.com.", dns::type::A, {});
    status[2] = 2 << 3;
    queries.push_back({status, "127.0.0.1", engine::Protocol::udp});

    std::vector<engine::ClientAddress> clients;
    for (const auto& q : queries) clients.push_back(test::client_address(q.client));
    std::vector<std::uint8_t> out(65535);
    std::size_t answered = 0;
    allocations = 0;
    counting = true;
    for (int round = 0; round < 1000; ++round)
        for (std::size_t i = 0; i < queries.size(); ++i) {
            engine::Request r{queries[i].wire.data(), queries[i].wire.size(), queries[i].protocol,
                              clients[i]};
            answered += engine::answer_query(*snapshot, r, out.data(), out.size()) > 0;
        }
    counting = false;
    CHECK(answered == 1000 * queries.size());
    CHECK(allocations.load() == 0);

    // The counters themselves work: an allocation while counting is seen.
    counting = true;
    auto* probe = new std::vector<int>(100);
    counting = false;
    delete probe;
    CHECK(allocations.load() > 0);
    if (counts_malloc) {
        allocations = 0;
        counting = true;
        void* volatile raw = std::malloc(100); // volatile: not elided with the free
        counting = false;
        std::free(raw);
        CHECK(allocations.load() == 1);
    }
}
