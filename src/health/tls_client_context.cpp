#include "health/tls_client_context.hpp"

#include <sys/stat.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

namespace srvd::health {
namespace ssl = boost::asio::ssl;
namespace {

// What tells a file's contents changed, short of reading it.
struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    timespec modified{};
    bool operator==(const FileIdentity& o) const {
        return device == o.device && inode == o.inode && size == o.size &&
               modified.tv_sec == o.modified.tv_sec && modified.tv_nsec == o.modified.tv_nsec;
    }
};

struct Cached {
    FileIdentity file;
    std::shared_ptr<ssl::context> context;
};

// Probes run on the control thread; the lock is for tests and tools that
// probe from threads of their own.
std::mutex lock;
std::map<std::string, Cached> cache;
std::atomic<std::size_t> made{0};

} // namespace

std::shared_ptr<ssl::context> tls_client_context(const std::string& ca_file, std::string& error) {
    FileIdentity file;
    if (!ca_file.empty()) {
        struct stat st {};
        if (::stat(ca_file.c_str(), &st) != 0) {
            error = std::strerror(errno);
            return nullptr;
        }
        file = {st.st_dev, st.st_ino, st.st_size, st.st_mtim};
    }
    const std::lock_guard<std::mutex> hold(lock);
    auto it = cache.find(ca_file);
    if (it != cache.end() && it->second.file == file) return it->second.context;
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    context->set_options(ssl::context::no_sslv2 | ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
    if (!ca_file.empty()) {
        boost::system::error_code ec;
        context->load_verify_file(ca_file, ec);
        if (ec) {
            if (it != cache.end()) cache.erase(it);
            error = ec.message();
            return nullptr;
        }
    }
    ++made;
    cache[ca_file] = {file, context};
    return context;
}

std::size_t tls_client_contexts_made() {
    return made;
}

} // namespace srvd::health
