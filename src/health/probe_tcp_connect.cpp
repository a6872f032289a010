// tcp-connect: the media server's SIP TCP (or TLS) port accepts a
// connection; no SIP (nor TLS) is spoken.
#include "health/probe_attempt.hpp"

#include <boost/asio/ip/tcp.hpp>

namespace srvd::health {
namespace asio = boost::asio;

void probe_tcp_connect(asio::io_context& io, const config::HealthConfig& c,
                       const ProbeTarget& target, ProbeDone done) {
    auto a = std::make_shared<Attempt<asio::ip::tcp::socket>>(io, std::move(done));
    arm_timeout(a, c.timeout_ms);
    a->socket.async_connect({target.address, target.port}, [a](boost::system::error_code ec) {
        if (ec) return a->finish(probe_failed(ec));
        a->finish({true, 200, ""});
    });
}

} // namespace srvd::health
