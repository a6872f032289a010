#pragma once
// Writes a file of state_dir (drains, automatic serials) whole or not at
// all, and never through a link: state_dir belongs to srvd's user, and srvd
// may write in it as root at start-up, so a symlink or hard link that user
// planted under the file's temporary name must not make root write
// elsewhere. The temporary is removed, made anew (O_EXCL, O_NOFOLLOW)
// inside a descriptor of the directory, synced and renamed over the file.
#include <string>

namespace srvd {

// Returns an error text naming the file, empty on success.
std::string write_state_file(const std::string& dir, const std::string& name,
                             const std::string& content);

} // namespace srvd
