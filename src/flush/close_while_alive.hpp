#pragma once
// A channel's abort() closes the socket of the attempt under way, which
// lives in a coroutine frame: this points `close` at it while it lives (an
// abort may come at any co_await) and forgets it when it goes, however the
// attempt ends.
#include <functional>

namespace srvd::flush {

class CloseWhileAlive {
  public:
    CloseWhileAlive(std::function<void()>& close, std::function<void()> how) : close_(close) {
        close_ = std::move(how);
    }
    ~CloseWhileAlive() { close_ = nullptr; }
    CloseWhileAlive(const CloseWhileAlive&) = delete;
    CloseWhileAlive& operator=(const CloseWhileAlive&) = delete;

  private:
    std::function<void()>& close_;
};

} // namespace srvd::flush
