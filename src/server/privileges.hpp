#pragma once
// Giving up root once the sockets are bound.
#include "zone/snapshot_loader.hpp"

#include <string>
#include <vector>

namespace srvd::server {

// Switches the process to `user` (and `group`, else the user's primary
// group), dropping supplementary groups. Returns an error text, empty on
// success. Call before any thread starts.
std::string drop_privileges(const std::string& user, const std::string& group);

// The files of `paths` this process (already switched) cannot read, each
// with the reason: a reload reads them again as the new user, so an
// operator hears at start-up, not at the first reload, that it will fail.
std::vector<std::string> unreadable(const std::vector<std::string>& paths);

// What a reload reads again: the configuration, every zone policy and what
// it includes, the GeoIP database.
std::vector<std::string> files_read_on_reload(const zone::Loaded& loaded);

// unreadable() as `user` (and `group`) would see it, from a process that is
// root now (`check` run as root, as `serve` will be): a child switches and
// looks. Empty when not root or when every file is readable.
std::vector<std::string> unreadable_as(const std::string& user, const std::string& group,
                                       const std::vector<std::string>& paths);

} // namespace srvd::server
