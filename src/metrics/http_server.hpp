#pragma once
// Serves GET /metrics over HTTP/1.1 (Boost.Beast) on the control thread.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <string>

namespace srvd::metrics {

class HttpServer : public std::enable_shared_from_this<HttpServer> {
  public:
    using Render = std::function<std::string()>;
    HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
               Render render);
    void start();
    void close();

  private:
    void do_accept();

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    Render render_;
};

} // namespace srvd::metrics
