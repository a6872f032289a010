#pragma once
// The client side of the control socket (`srvd ctl`): one line out, the
// reply in. Apart from the server's side so that the client compiles none
// of the server: the protocol is in control_socket.hpp.
#include "server/reply.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace srvd::server {

// Sends `words` to the socket at `path` and waits up to `timeout` for the
// reply. Returns the reply; status 2 and the reason when there is no server
// there or it does not answer in time.
Reply ask_control(const std::string& path, const std::vector<std::string>& words,
                  std::chrono::milliseconds timeout);

} // namespace srvd::server
