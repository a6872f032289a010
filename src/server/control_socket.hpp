#pragma once
// The control socket `srvd ctl` talks to, as knotc, nsd-control and
// gdnsdctl talk to theirs: a UNIX stream socket, never a network port, made
// before privileges are dropped (mode 0660, owned by `user:` and `group:`).
// A client sends one line, the command's words separated by spaces; the
// reply is the exit status on the first line, then the text; then the
// server closes the connection. Runs on the control thread. A request is
// at most `max_request` bytes, at most `max_clients` are served at once,
// a client that sends nothing in 10 s is dropped, and every command is
// logged with the caller's uid and pid.
#include "server/control.hpp"

#include "util/connection_slots.hpp"
#include <boost/asio/io_context.hpp>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace srvd::server {

class ControlSocket : public std::enable_shared_from_this<ControlSocket> {
  public:
    // Answers a command through `done`, at once or later (a reload answers
    // once its snapshot is published); the client waits for it.
    using Handler = std::function<void(const std::vector<std::string>& words, ReplyTo done)>;

    // Binds `path`. A stale socket (nothing listening) is replaced; one a
    // live srvd answers on is not (throws std::runtime_error, as for any
    // other failure, with the reason).
    ControlSocket(boost::asio::io_context& io, std::string path, Handler handler);
    ~ControlSocket();
    // Hands the socket to the user (and group) the server will run as.
    void set_owner(const std::string& user, const std::string& group);
    void start();
    void close();
    const std::string& path() const { return path_; }

    static constexpr std::size_t max_request = 4096, max_clients = 16;

  private:
    void accept();

    boost::asio::local::stream_protocol::acceptor acceptor_;
    boost::asio::steady_timer accept_pause_;
    ConnectionSlots slots_{max_clients};
    std::string path_;
    Handler handler_;
    bool bound_ = false;
};

} // namespace srvd::server
