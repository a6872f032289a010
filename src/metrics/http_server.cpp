#include "metrics/http_server.hpp"

#include "util/accept_pause.hpp"
#include "util/log.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace srvd::metrics {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

// One request per connection: Prometheus scrapes rarely, so keep-alive buys
// nothing and a closed connection cannot pile up.
class Exchange : public std::enable_shared_from_this<Exchange> {
  public:
    Exchange(tcp::socket socket, HttpServer::Render& render, ConnectionSlots::Slot slot)
        : stream_(std::move(socket)), render_(render), slot_(std::move(slot)) {
        parser_.header_limit(HttpServer::max_header);
        parser_.body_limit(0); // a scrape has no body
    }

    void start() {
        stream_.expires_after(std::chrono::seconds(5)); // a stuck client goes away
        http::async_read(stream_, buffer_, parser_,
                         [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                             if (!ec) self->respond();
                         });
    }

  private:
    void respond() {
        const auto& request = parser_.get();
        const bool get = request.method() == http::verb::get;
        const bool found = get && request.target() == "/metrics";
        response_.version(request.version());
        response_.keep_alive(false);
        response_.result(!get    ? http::status::method_not_allowed
                         : found ? http::status::ok
                                 : http::status::not_found);
        if (!get) response_.set(http::field::allow, "GET");
        response_.set(http::field::content_type,
                      found ? "text/plain; version=0.0.4" : "text/plain");
        response_.body() = found ? render_() : get ? "not found; try /metrics\n" : "GET only\n";
        response_.prepare_payload();
        http::async_write(stream_, response_,
                          [self = shared_from_this()](boost::beast::error_code, std::size_t) {
                              boost::beast::error_code ignored;
                              self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          });
    }

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_{HttpServer::max_header};
    http::request_parser<http::empty_body> parser_;
    http::response<http::string_body> response_;
    HttpServer::Render& render_;
    ConnectionSlots::Slot slot_;
};

} // namespace

HttpServer::HttpServer(asio::io_context& io, const tcp::endpoint& endpoint, Render render)
    : io_(io), acceptor_(io, endpoint), accept_pause_(io), render_(std::move(render)) {}

void HttpServer::start() {
    do_accept();
}

void HttpServer::close() {
    boost::system::error_code ignored;
    accept_pause_.cancel();
    acceptor_.close(ignored);
}

void HttpServer::do_accept() {
    acceptor_.async_accept(io_, [self = shared_from_this()](boost::system::error_code ec,
                                                            tcp::socket socket) {
        if (ec == asio::error::operation_aborted) return;
        if (ec)
            return accept_after_pause(self->accept_pause_, "metrics", ec,
                                      [self] { self->do_accept(); });
        // Over the cap the connection is closed at once: a scraper retries.
        if (auto slot = self->slots_.take())
            std::make_shared<Exchange>(std::move(socket), self->render_, std::move(*slot))->start();
        self->do_accept();
    });
}

} // namespace srvd::metrics
