#include "server/guarded_run.hpp"

#include "util/log.hpp"

#include <exception>

namespace srvd::server {

void run_guarded(const std::function<void()>& loop, const std::string& thread,
                 std::atomic<std::uint64_t>& failures) {
    for (;;) {
        try {
            loop();
            return;
        } catch (const std::exception& e) {
            log::error(thread + ": a job failed and was abandoned: " + e.what());
        } catch (...) {
            log::error(thread + ": a job failed and was abandoned");
        }
        failures.fetch_add(1, std::memory_order_relaxed);
    }
}

void run_guarded(boost::asio::io_context& io, const std::string& thread,
                 std::atomic<std::uint64_t>& failures) {
    run_guarded([&io] { io.run(); }, thread, failures);
}

} // namespace srvd::server
