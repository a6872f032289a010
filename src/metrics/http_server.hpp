#pragma once
// Serves GET /metrics over HTTP/1.1 (Boost.Beast) on the control thread.
// Nothing else: other methods get 405, a request is its header alone (at
// most max_header bytes, no body), at most max_clients at once, each gone
// after 5 s. It must never be the way to exhaust srvd's descriptors.
#include "util/connection_slots.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

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

    static constexpr std::size_t max_header = 4096, max_clients = 16;

  private:
    void do_accept();

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer accept_pause_;
    ConnectionSlots slots_{max_clients};
    Render render_;
};

} // namespace srvd::metrics
