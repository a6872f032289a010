// The query pipeline (query/pipeline.hpp) without sockets: rate limiting
// decides before the engine runs, and the counters follow the reply sent.
#include "query/pipeline.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

using namespace srvd;

namespace {

const char* zone_text = "zone: example.com\n"
                        "soa: { primary: ns1.example.com, contact: h.example.com, serial: 1 }\n"
                        "nameservers: { ns1: [192.0.2.1] }\n"
                        "media_servers: { ms1: { addresses: [192.0.2.11] } }\n"
                        "proxies: { sip: { targets: [ms1] } }\n";

} // namespace

TEST_CASE("rate limiting drops before the engine answers, and a slip is counted as truncated") {
    const auto snapshot = test::compile_policy(zone_text);
    config::RrlConfig c;
    c.responses_per_second = 1;
    c.slip = 2;
    query::RateLimiter limiter(c);
    const auto q = test::make_query("sip.example.com.", 1);
    const engine::Request r{q.data(), q.size(), engine::Protocol::udp,
                            test::client_address("198.51.100.7")};
    std::vector<std::uint8_t> out(65535);
    metrics::WorkerCounters counters;

    engine::AnswerInfo first;
    const query::Result sent =
        query::process(*snapshot, r, &limiter, 50, out.data(), out.size(), first, &counters);
    CHECK(sent.action == query::Action::send);
    CHECK(first.qtype == 1);
    CHECK(counters.answers[0][0].load() == 1);

    engine::AnswerInfo second;
    const query::Result dropped =
        query::process(*snapshot, r, &limiter, 50, out.data(), out.size(), second, &counters);
    CHECK(dropped.action == query::Action::drop);
    CHECK(second.qtype == 0); // the engine never ran
    CHECK(counters.rrl_dropped.load() == 1);
    CHECK(counters.answers[0][0].load() == 1);

    engine::AnswerInfo third;
    const query::Result slipped =
        query::process(*snapshot, r, &limiter, 50, out.data(), out.size(), third, &counters);
    REQUIRE(slipped.action == query::Action::send);
    CHECK((out[2] & 0x02) != 0); // TC
    CHECK(out[6] == 0);          // no answer records
    CHECK(out[7] == 0);
    CHECK(slipped.size == third.question_end + third.opt_size);
    CHECK(counters.rrl_slipped.load() == 1);
    CHECK(counters.truncated.load() == 1);
    CHECK(counters.answers[0][0].load() == 2);
}

TEST_CASE("without a limiter and counters (tests, fuzzer) the engine's answer goes out as is") {
    const auto snapshot = test::compile_policy(zone_text);
    const auto q = test::make_query("nothing.example.com.", 1);
    const engine::Request r{q.data(), q.size(), engine::Protocol::udp,
                            test::client_address("127.0.0.1")};
    std::vector<std::uint8_t> out(65535), direct(65535);
    engine::AnswerInfo info;
    const query::Result result =
        query::process(*snapshot, r, nullptr, 0, out.data(), out.size(), info, nullptr);
    REQUIRE(result.action == query::Action::send);
    const std::size_t n = engine::answer_query(*snapshot, r, direct.data(), direct.size());
    REQUIRE(n == result.size);
    CHECK(std::equal(direct.begin(), direct.begin() + n, out.begin()));
    CHECK(info.rcode == 3); // NXDOMAIN
    // A response (QR set) is dropped, as the engine says.
    auto response = q;
    response[2] |= 0x80;
    const engine::Request back{response.data(), response.size(), engine::Protocol::udp,
                               test::client_address("127.0.0.1")};
    CHECK(
        query::process(*snapshot, back, nullptr, 0, out.data(), out.size(), info, nullptr).action ==
        query::Action::drop);
}

TEST_CASE("queries of a batch are timed back to back: each from where the last one ended") {
    const auto snapshot = test::compile_policy(zone_text);
    const auto q = test::make_query("sip.example.com.", 1);
    const engine::Request r{q.data(), q.size(), engine::Protocol::udp,
                            test::client_address("198.51.100.7")};
    std::vector<std::uint8_t> out(65535);
    metrics::WorkerCounters counters;
    // The batch began 5 ms ago: the first query's time starts there.
    const auto began = std::chrono::steady_clock::now() - std::chrono::milliseconds(5);
    auto since = began;
    engine::AnswerInfo first;
    const auto one =
        query::process(*snapshot, r, nullptr, 0, out.data(), out.size(), first, &counters, &since);
    CHECK(one.nanoseconds >= 5'000'000);
    CHECK(since > began + std::chrono::milliseconds(5));
    // The second starts where the first ended, not 5 ms back.
    const auto mark = since;
    engine::AnswerInfo second;
    const auto two =
        query::process(*snapshot, r, nullptr, 0, out.data(), out.size(), second, &counters, &since);
    CHECK(two.nanoseconds < 5'000'000);
    CHECK(since >= mark);
    CHECK(counters.latency_sum_ns.load() == one.nanoseconds + two.nanoseconds);
}
