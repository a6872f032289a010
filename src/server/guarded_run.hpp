#pragma once
// The last-resort catch around each worker's and the transfer thread's jobs
// (as dnsdist does): the packet path throws nothing, but a job that does
// (an allocation failure while building a transfer, a bug) must cost that job,
// not the thread and with it every client the thread serves.
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace srvd::server {

// Runs `loop` until it returns. An exception from it is logged with
// `thread` in the message, counted in `failures`, and `loop` is entered
// again: a UDP listener's run(), which loses only the batch in hand.
void run_guarded(const std::function<void()>& loop, const std::string& thread,
                 std::atomic<std::uint64_t>& failures);

// Runs `io` until it runs out of work or is stopped; a job that throws is
// abandoned and the loop goes on with the next job.
void run_guarded(boost::asio::io_context& io, const std::string& thread,
                 std::atomic<std::uint64_t>& failures);

} // namespace srvd::server
