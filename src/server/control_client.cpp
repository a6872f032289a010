#include "server/control_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace srvd::server {
namespace asio = boost::asio;
using local = asio::local::stream_protocol;

Reply ask_control(const std::string& path, const std::vector<std::string>& words,
                  std::chrono::milliseconds timeout) {
    asio::io_context io;
    local::socket socket(io);
    std::string line;
    for (const auto& w : words) line += (line.empty() ? "" : " ") + w;
    line += "\n";
    Reply reply{2, ""};
    std::string received;
    asio::steady_timer timer(io);
    timer.expires_after(timeout);
    timer.async_wait([&](boost::system::error_code ec) {
        if (!ec) {
            reply.text = "no answer from the server on " + path + " within " +
                         std::to_string(timeout.count() / 1000) + " s\n";
            socket.close();
        }
    });
    socket.async_connect(local::endpoint(path), [&](boost::system::error_code ec) {
        if (ec) {
            reply.text = "cannot reach srvd on " + path + ": " + ec.message() +
                         " (is it running, and is this its control.socket?)\n";
            timer.cancel();
            return;
        }
        asio::async_write(
            socket, asio::buffer(line), [&](boost::system::error_code ec, std::size_t) {
                if (ec) return;
                asio::async_read(socket, asio::dynamic_buffer(received),
                                 [&](boost::system::error_code, std::size_t) { timer.cancel(); });
            });
    });
    io.run();
    const auto newline = received.find('\n');
    if (newline == std::string::npos) return reply;
    try {
        reply.status = std::stoi(received.substr(0, newline));
    } catch (const std::exception&) {
        return {2, "a reply srvd ctl does not understand from " + path + "\n"};
    }
    reply.text = received.substr(newline + 1);
    return reply;
}

} // namespace srvd::server
