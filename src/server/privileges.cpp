#include "server/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace srvd::server {

std::string drop_privileges(const std::string& user, const std::string& group) {
    const passwd* pw = ::getpwnam(user.c_str());
    if (!pw) return "no such user: " + user;
    gid_t gid = pw->pw_gid;
    const uid_t uid = pw->pw_uid;
    if (!group.empty()) {
        const struct group* gr = ::getgrnam(group.c_str());
        if (!gr) return "no such group: " + group;
        gid = gr->gr_gid;
    }
    // Order matters: groups first, while we still may change them.
    if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
        return std::string("cannot switch to ") + user + ": " + std::strerror(errno);
    if (::setuid(0) == 0)
        return "could regain root after switching to " + user; // must not be possible
    return {};
}

std::vector<std::string> unreadable(const std::vector<std::string>& paths) {
    std::vector<std::string> out;
    for (const auto& path : paths)
        if (::access(path.c_str(), R_OK) != 0) out.push_back(path + ": " + std::strerror(errno));
    return out;
}

} // namespace srvd::server
