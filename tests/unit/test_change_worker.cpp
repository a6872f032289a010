// The change worker runs jobs one at a time on its own thread; serve's
// first load is run there too and waited for (ChangeWorker::run), so that
// every snapshot of a run comes from one thread's malloc arena.
#include "server/change_worker.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

using namespace srvd;

TEST_CASE("change worker: run waits for its job, on the worker's thread, and rethrows") {
    boost::asio::io_context control;
    server::ChangeWorker worker(control);
    const auto here = std::this_thread::get_id();
    const auto first = worker.run([] { return std::this_thread::get_id(); });
    CHECK(first != here);
    // A later step runs on that same thread.
    std::promise<std::thread::id> later;
    worker.post([&] { later.set_value(std::this_thread::get_id()); });
    CHECK(later.get_future().get() == first);
    CHECK(worker.run([] { return std::string("loaded"); }) == "loaded");
    CHECK_THROWS_WITH_AS(worker.run([]() -> int { throw std::runtime_error("bad line 3"); }),
                         "bad line 3", std::runtime_error);
    // Still working after a job threw.
    CHECK(worker.run([] { return 42; }) == 42);
}
