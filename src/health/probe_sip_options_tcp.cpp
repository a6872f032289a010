// SIP OPTIONS over TCP: connect, the request out, the final response in
// (RFC 3261 18.3 framing).
#include "health/probe_attempt.hpp"

#include "util/host_port.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

namespace srvd::health {
namespace asio = boost::asio;

namespace {

// Over TCP a response is a header block and Content-Length bytes of body; a
// provisional one (100 Trying, which a proxy in front of the media server
// sends) is skipped whole, as over UDP: the final response decides.
void receive_final(const std::shared_ptr<Attempt<asio::ip::tcp::socket>>& a) {
    asio::async_read_until(
        a->socket, a->stream, "\r\n\r\n", [a](boost::system::error_code ec, std::size_t n) {
            if (ec) return a->finish(probe_failed(ec));
            const std::string head(asio::buffers_begin(a->stream.data()),
                                   asio::buffers_begin(a->stream.data()) + n);
            a->stream.consume(n);
            if (!answers(head, a->ids))
                return a->finish({false, 0, "a response that does not answer this probe"});
            const int code = status_code(head);
            if (code < 100 || code >= 200)
                return a->finish({code != 0, code, code ? "" : "not a SIP response"});
            const std::size_t body = content_length(head);
            if (body <= a->stream.size()) {
                a->stream.consume(body);
                return receive_final(a);
            }
            asio::async_read(a->socket, a->stream, asio::transfer_exactly(body - a->stream.size()),
                             [a, body](boost::system::error_code ec, std::size_t) {
                                 if (ec) return a->finish(probe_failed(ec));
                                 a->stream.consume(body);
                                 receive_final(a);
                             });
        });
}

} // namespace

void probe_sip_options_tcp(asio::io_context& io, const config::HealthConfig& c,
                           const asio::ip::address& address, std::uint16_t port, ProbeDone done) {
    const asio::ip::tcp::endpoint target(address, port);
    auto a = std::make_shared<Attempt<asio::ip::tcp::socket>>(io, std::move(done));
    arm_timeout(a, c.timeout_ms);
    a->socket.async_connect(target, [a, target](boost::system::error_code ec) {
        if (ec) return a->finish(probe_failed(ec));
        const auto local = a->socket.local_endpoint(ec);
        a->request = options_request(host_port(target.address(), target.port()),
                                     host_port(local.address(), local.port()), "TCP", a->ids);
        asio::async_write(a->socket, asio::buffer(a->request),
                          [a](boost::system::error_code ec, std::size_t) {
                              if (ec) return a->finish(probe_failed(ec));
                              receive_final(a);
                          });
    });
}

} // namespace srvd::health
