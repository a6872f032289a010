#pragma once
// Giving up root once the sockets are bound.
#include "zone/snapshot/snapshot_loader.hpp"

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
// With `mode` W_OK | X_OK: the directories it cannot write in.
std::vector<std::string> unreadable(const std::vector<std::string>& paths, int mode = 4);

// What a reload reads again: the configuration, every zone policy and what
// it includes, the GeoIP database.
std::vector<std::string> files_read_on_reload(const zone::Loaded& loaded);

// Makes a missing state_dir owned by `user` (and `group`), mode 0750, when
// root: srvd writes drains and serials in it after switching to the user,
// which cannot write in a directory root made. Returns an error text.
std::string prepare_state_dir(const std::string& dir, const std::string& user,
                              const std::string& group);

// unreadable() as `user` (and `group`) would see it, from a process that is
// root now (`check` run as root, as `serve` will be): a child switches and
// looks. Empty when not root or when every file is readable.
std::vector<std::string> unreadable_as(const std::string& user, const std::string& group,
                                       const std::vector<std::string>& paths, int mode = 4);

} // namespace srvd::server
