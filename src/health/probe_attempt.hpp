#pragma once
// What every probe kind shares: one attempt's socket, timer and buffers,
// finished once by whichever of the answer and the timeout comes first.
#include "health/probe.hpp"
#include "health/sip_message.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <string>

namespace srvd::health {

// Shared state of one probe: whichever of the answer and the timer comes
// first finishes it; the other finds it finished.
template <typename Socket> struct Attempt {
    // `args` follow the io_context to the socket (a TLS stream's context).
    template <typename... Args>
    Attempt(boost::asio::io_context& io, ProbeDone d, Args&&... args)
        : socket(io, std::forward<Args>(args)...), timer(io), done(std::move(d)) {}
    void finish(ProbeResult r) {
        if (finished) return;
        finished = true;
        timer.cancel();
        boost::system::error_code ignored;
        socket.lowest_layer().close(ignored); // a TLS stream's too
        done(std::move(r));
    }
    Socket socket;
    boost::asio::steady_timer timer;
    ProbeDone done;
    bool finished = false;
    ProbeIds ids = new_probe_ids();
    std::string request;
    std::array<char, 4096> buffer{};
    boost::asio::streambuf stream;
};

template <typename A> void arm_timeout(const std::shared_ptr<A>& a, std::uint32_t ms) {
    a->timer.expires_after(std::chrono::milliseconds(ms));
    a->timer.async_wait([a](boost::system::error_code ec) {
        if (!ec) a->finish({false, 0, "timed out"});
    });
}

} // namespace srvd::health
