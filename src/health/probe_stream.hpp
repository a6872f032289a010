#pragma once
// SIP OPTIONS over a stream (TCP, or TLS above it): the request out and the
// final response in, with RFC 3261 18.3 framing. One template for both, so
// the transports differ only in how the stream is opened.
#include "health/probe_attempt.hpp"

#include "util/host_port.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

namespace srvd::health {

// Over a stream a response is a header block and Content-Length bytes of
// body; a provisional one (100 Trying, which a proxy in front of the media
// server sends) is skipped whole, as over UDP: the final response decides.
template <typename A> void receive_final(const std::shared_ptr<A>& a) {
    namespace asio = boost::asio;
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
                return a->finish({code != 0, code, code ? "" : "not a SIP response", false, head});
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

// The request over an open stream (`via`: TCP or TLS), then its answer.
template <typename A> void send_options(const std::shared_ptr<A>& a, const char* via) {
    boost::system::error_code ec;
    const auto peer = a->socket.lowest_layer().remote_endpoint(ec);
    const auto local = a->socket.lowest_layer().local_endpoint(ec);
    if (ec) return a->finish(probe_failed(ec));
    a->request = options_request(host_port(peer.address(), peer.port()),
                                 host_port(local.address(), local.port()), via, a->ids);
    boost::asio::async_write(a->socket, boost::asio::buffer(a->request),
                             [a](boost::system::error_code ec, std::size_t) {
                                 if (ec) return a->finish(probe_failed(ec));
                                 receive_final(a);
                             });
}

} // namespace srvd::health
