#pragma once
// Giving up root once the sockets are bound.
#include <string>

namespace srvd::net {

// Switches the process to `user` (and `group`, else the user's primary
// group), dropping supplementary groups. Returns an error text, empty on
// success. Call before any thread starts.
std::string drop_privileges(const std::string& user, const std::string& group);

} // namespace srvd::net
