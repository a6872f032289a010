#pragma once
// After a failed accept (out of descriptors, EMFILE, or of memory), wait a
// moment before the next: the pending connection stays ready in the
// backlog, so accepting again at once spins and logs without end (it did:
// ~900,000 lines in 5 s). Idle connections timing out free descriptors.
#include "util/log.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <string>

namespace srvd {

// Logs `what` and the error, then calls `again` 100 ms later (not at all
// when `pause` is cancelled: the listener is closing).
template <typename Again>
void accept_after_pause(boost::asio::steady_timer& pause, const std::string& what,
                        const boost::system::error_code& error, Again again) {
    log::warning(what + ": accept: " + error.message() + "; accepting again in 100 ms");
    pause.expires_after(std::chrono::milliseconds(100));
    pause.async_wait([again = std::move(again)](boost::system::error_code ec) {
        if (!ec) again();
    });
}

} // namespace srvd
