// SIP OPTIONS over TCP: connect, then the stream probe (probe_stream.hpp).
#include "health/probe_stream.hpp"

namespace srvd::health {
namespace asio = boost::asio;

void probe_sip_options_tcp(asio::io_context& io, const config::HealthConfig& c,
                           const ProbeTarget& target, ProbeDone done) {
    auto a = std::make_shared<Attempt<asio::ip::tcp::socket>>(io, std::move(done));
    arm_timeout(a, c.timeout_ms);
    a->socket.async_connect({target.address, target.port}, [a](boost::system::error_code ec) {
        if (ec) return a->finish(probe_failed(ec));
        send_options(a, "TCP");
    });
}

} // namespace srvd::health
