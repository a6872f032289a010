#include "metrics/http_server.hpp"

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
    Exchange(tcp::socket socket, HttpServer::Render& render)
        : stream_(std::move(socket)), render_(render) {}

    void start() {
        stream_.expires_after(std::chrono::seconds(5)); // a stuck client goes away
        http::async_read(stream_, buffer_, request_,
                         [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                             if (!ec) self->respond();
                         });
    }

  private:
    void respond() {
        const bool found = request_.method() == http::verb::get && request_.target() == "/metrics";
        response_.version(request_.version());
        response_.keep_alive(false);
        response_.result(found ? http::status::ok : http::status::not_found);
        response_.set(http::field::content_type,
                      found ? "text/plain; version=0.0.4" : "text/plain");
        response_.body() = found ? render_() : "not found; try /metrics\n";
        response_.prepare_payload();
        http::async_write(stream_, response_,
                          [self = shared_from_this()](boost::beast::error_code, std::size_t) {
                              boost::beast::error_code ignored;
                              self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          });
    }

    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
    HttpServer::Render& render_;
};

} // namespace

HttpServer::HttpServer(asio::io_context& io, const tcp::endpoint& endpoint, Render render)
    : io_(io), acceptor_(io, endpoint), render_(std::move(render)) {}

void HttpServer::start() {
    do_accept();
}

void HttpServer::close() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

void HttpServer::do_accept() {
    acceptor_.async_accept(
        io_, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted) return;
            if (!ec) std::make_shared<Exchange>(std::move(socket), self->render_)->start();
            self->do_accept();
        });
}

} // namespace srvd::metrics
