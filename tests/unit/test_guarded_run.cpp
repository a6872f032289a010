// The last-resort catch of the worker and transfer threads (server/guarded_run).
#include "server/guarded_run.hpp"

#include <boost/asio/post.hpp>
#include <doctest/doctest.h>

#include <stdexcept>

using namespace srvd;

TEST_CASE("a job that throws is logged and counted, and the jobs after it still run") {
    boost::asio::io_context io(1);
    std::atomic<std::uint64_t> failures{0};
    int ran = 0;
    boost::asio::post(io, [&] { ++ran; });
    boost::asio::post(io, [] { throw std::runtime_error("injected transfer failure"); });
    boost::asio::post(io, [] { throw 42; });
    boost::asio::post(io, [&] { ++ran; });
    server::run_guarded(io, "transfer thread", failures);
    CHECK(ran == 2);
    CHECK(failures.load() == 2);
}

TEST_CASE("a listener loop that throws is counted and entered again until it returns") {
    std::atomic<std::uint64_t> failures{0};
    int entered = 0;
    server::run_guarded(
        [&] {
            if (++entered < 3) throw std::runtime_error("injected listener failure");
        },
        "worker 1 udp", failures);
    CHECK(entered == 3);
    CHECK(failures.load() == 2);
}
