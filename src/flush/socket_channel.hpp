#pragma once
// What the channels that talk to a resolver over a socket share (Unbound,
// the Recursor, Knot Resolver): the target, and abort() closing the socket
// of the attempt under way. That socket lives in the attempt's coroutine
// frame: CloseWhileAlive points close_ at it while it lives (an abort may
// come at any co_await) and forgets it when it goes, however the attempt
// ends.
#include "flush/channel.hpp"

#include <functional>

namespace srvd::flush {

class SocketChannel : public Channel {
  public:
    SocketChannel(boost::asio::io_context& io, config::ResolverTarget target)
        : io_(io), target_(std::move(target)) {}
    void abort() override {
        if (close_) close_();
    }

  protected:
    class CloseWhileAlive {
      public:
        CloseWhileAlive(SocketChannel& channel, std::function<void()> how)
            : close_(channel.close_) {
            close_ = std::move(how);
        }
        ~CloseWhileAlive() { close_ = nullptr; }
        CloseWhileAlive(const CloseWhileAlive&) = delete;
        CloseWhileAlive& operator=(const CloseWhileAlive&) = delete;

      private:
        std::function<void()>& close_;
    };

    boost::asio::io_context& io_;
    const config::ResolverTarget target_;

  private:
    std::function<void()> close_; // the socket of the attempt under way
};

} // namespace srvd::flush
