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
