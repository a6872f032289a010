#include "server/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

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
    // Nothing srvd ever runs (it runs nothing) may gain privileges back
    // through a setuid binary or file capabilities.
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return std::string("cannot set no_new_privs: ") + std::strerror(errno);
    return {};
}

std::vector<std::string> unreadable(const std::vector<std::string>& paths, int mode) {
    static_assert(R_OK == 4);
    std::vector<std::string> out;
    for (const auto& path : paths)
        if (::access(path.c_str(), mode) != 0) out.push_back(path + ": " + std::strerror(errno));
    return out;
}

std::string prepare_state_dir(const std::string& dir, const std::string& user,
                              const std::string& group) {
    if (::geteuid() != 0 || user.empty() || dir.empty()) return {};
    struct stat st {};
    if (::lstat(dir.c_str(), &st) == 0) return {}; // the operator's: as it is
    const passwd* pw = ::getpwnam(user.c_str());
    if (!pw) return "no such user: " + user;
    gid_t gid = pw->pw_gid;
    if (!group.empty())
        if (const struct group* gr = ::getgrnam(group.c_str())) gid = gr->gr_gid;
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
    if (::mkdir(dir.c_str(), 0750) != 0 || ::chown(dir.c_str(), pw->pw_uid, gid) != 0)
        return "state_dir " + dir + ": " + std::strerror(errno);
    return {};
}

std::vector<std::string> files_read_on_reload(const zone::Loaded& loaded) {
    std::vector<std::string> files{loaded.config.file};
    for (const auto& z : loaded.snapshot->zones)
        for (const auto& source : z.data->policy.sources) files.push_back(source.path);
    if (loaded.config.geoip) files.push_back(loaded.config.geoip->database);
    return files;
}

std::vector<std::string> unreadable_as(const std::string& user, const std::string& group,
                                       const std::vector<std::string>& paths, int mode) {
    if (::geteuid() != 0 || user.empty()) return {};
    int fds[2];
    if (::pipe(fds) != 0) return {};
    const pid_t child = ::fork();
    if (child < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        return {};
    }
    if (child == 0) { // switch, look, report one line per file, leave
        ::close(fds[0]);
        std::string report;
        if (auto error = drop_privileges(user, group); !error.empty())
            report = error + "\n";
        else
            for (const auto& why : unreadable(paths, mode)) report += why + "\n";
        for (std::size_t at = 0; at < report.size();) {
            const ssize_t n = ::write(fds[1], report.data() + at, report.size() - at);
            if (n <= 0) break;
            at += static_cast<std::size_t>(n);
        }
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string report;
    char buffer[4096];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, n);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    std::vector<std::string> out;
    for (std::size_t start = 0, end; (end = report.find('\n', start)) != std::string::npos;
         start = end + 1)
        out.push_back(report.substr(start, end - start));
    return out;
}

} // namespace srvd::server
