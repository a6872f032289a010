#include "util/state_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace srvd {
namespace {

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

} // namespace

std::string write_state_file(const std::string& dir, const std::string& name,
                             const std::string& content) {
    const std::string temporary = name + ".new";
    const auto error = [&](const std::string& file) {
        return dir + "/" + file + ": " + std::strerror(errno);
    };
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return error("");
    Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
    if (d.fd < 0) return error("");
    if (::unlinkat(d.fd, temporary.c_str(), 0) != 0 && errno != ENOENT) return error(temporary);
    Fd f{::openat(d.fd, temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0644)};
    if (f.fd < 0) return error(temporary);
    for (std::size_t at = 0; at < content.size();) {
        const ssize_t n = ::write(f.fd, content.data() + at, content.size() - at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return error(temporary);
        at += static_cast<std::size_t>(n);
    }
    if (::fsync(f.fd) != 0) return error(temporary);
    if (::renameat(d.fd, temporary.c_str(), d.fd, name.c_str()) != 0) return error(name);
    return {};
}

} // namespace srvd
