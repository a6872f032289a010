// SIP OPTIONS over UDP: one datagram out, the final response in.
#include "health/probe_attempt.hpp"

#include "util/host_port.hpp"

#include <boost/asio/ip/udp.hpp>

namespace srvd::health {
namespace asio = boost::asio;

namespace {

// Provisional responses (1xx) are skipped: the final one decides.
void receive_final(const std::shared_ptr<Attempt<asio::ip::udp::socket>>& a) {
    a->socket.async_receive(
        asio::buffer(a->buffer), [a](boost::system::error_code ec, std::size_t n) {
            // ICMP port unreachable arrives here as connection_refused.
            if (ec) return a->finish(probe_failed(ec));
            const std::string response(a->buffer.data(), n);
            // Not an answer to this request (a forgery
            // "from" the server, a stray retransmission):
            // ignored, as if never received.
            if (!answers(response, a->ids)) return receive_final(a);
            const int code = status_code(response);
            if (code >= 100 && code < 200) return receive_final(a);
            a->finish({code != 0, code, code ? "" : "not a SIP response", false, response});
        });
}

} // namespace

void probe_sip_options_udp(asio::io_context& io, const config::HealthConfig& c,
                           const ProbeTarget& to, ProbeDone done) {
    const asio::ip::udp::endpoint target(to.address, to.port);
    auto a = std::make_shared<Attempt<asio::ip::udp::socket>>(io, std::move(done));
    boost::system::error_code ec;
    a->socket.open(target.protocol(), ec);
    if (!ec) a->socket.connect(target, ec); // learns the local address for Via and Contact
    if (ec) return a->finish(probe_failed(ec));
    const auto local = a->socket.local_endpoint(ec);
    a->request = options_request(host_port(target.address(), target.port()),
                                 host_port(local.address(), local.port()), "UDP", a->ids);
    arm_timeout(a, c.timeout_ms);
    a->socket.async_send(asio::buffer(a->request), [a](boost::system::error_code ec, std::size_t) {
        if (ec) return a->finish(probe_failed(ec));
        receive_final(a);
    });
}

} // namespace srvd::health
