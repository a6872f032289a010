#include "server/control_socket.hpp"

#include "util/accept_pause.hpp"
#include "util/log.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace srvd::server {
namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {

// Whether a server answers at `path` (a live socket, not a stale file).
bool someone_listens(const std::string& path) {
    asio::io_context io;
    local::socket probe(io);
    boost::system::error_code ec;
    probe.connect(local::endpoint(path), ec);
    return !ec;
}

std::vector<std::string> words_of(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// Who is on the other end, for the log (SO_PEERCRED: the kernel's word).
std::string caller(local::socket& socket) {
    ucred cred{};
    socklen_t size = sizeof cred;
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0)
        return "an unknown caller";
    return "uid " + std::to_string(cred.uid) + " pid " + std::to_string(cred.pid);
}

// One client: a line in, the reply out, closed.
class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(local::socket socket, ControlSocket::Handler& handler, ConnectionSlots::Slot slot)
        : socket_(std::move(socket)), handler_(handler), timer_(socket_.get_executor()),
          in_(ControlSocket::max_request), slot_(std::move(slot)) {}

    void start() {
        // A client that connects and says nothing is not waited for.
        timer_.expires_after(std::chrono::seconds(10));
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->socket_.close();
        });
        asio::async_read_until(socket_, in_, '\n',
                               [self = shared_from_this()](boost::system::error_code ec,
                                                           std::size_t) { self->on_line(ec); });
    }

  private:
    void on_line(boost::system::error_code ec) {
        timer_.cancel();
        if (ec == asio::error::not_found) { // no newline in max_request bytes
            log::warning("control: a request over " + std::to_string(ControlSocket::max_request) +
                         " bytes from " + caller(socket_) + ", refused");
            return reply({2, "request too long\n"});
        }
        if (ec) return;
        std::istream stream(&in_);
        std::string line;
        std::getline(stream, line);
        log::info("control: " + caller(socket_) + ": " + line);
        try {
            handler_(words_of(line), [self = shared_from_this()](Reply r) { self->reply(r); });
        } catch (const std::exception& e) {
            reply({1, std::string("failed: ") + e.what() + "\n"});
        }
    }

    void reply(const Reply& reply) {
        out_ = std::to_string(reply.status) + "\n" + reply.text;
        asio::async_write(socket_, asio::buffer(out_),
                          [self = shared_from_this()](boost::system::error_code, std::size_t) {
                              boost::system::error_code ignored;
                              self->socket_.shutdown(local::socket::shutdown_both, ignored);
                          });
    }

    local::socket socket_;
    ControlSocket::Handler& handler_;
    asio::steady_timer timer_;
    asio::streambuf in_;
    std::string out_;
    ConnectionSlots::Slot slot_;
};

} // namespace

ControlSocket::ControlSocket(asio::io_context& io, std::string path, Handler handler)
    : acceptor_(io), accept_pause_(io), path_(std::move(path)), handler_(std::move(handler)) {
    const std::filesystem::path dir = std::filesystem::path(path_).parent_path();
    std::error_code fs_error;
    if (!dir.empty() && !std::filesystem::exists(dir, fs_error)) {
        // /run/srvd when not made by systemd (RuntimeDirectory=): as root, here.
        std::filesystem::create_directories(dir, fs_error);
        if (fs_error)
            throw std::runtime_error("cannot create " + dir.string() + ": " + fs_error.message());
        ::chmod(dir.c_str(), 0755);
    }
    if (struct stat st{}; ::lstat(path_.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            throw std::runtime_error("exists and is not a socket; not replacing it");
        if (someone_listens(path_)) throw std::runtime_error("another srvd answers on it");
        ::unlink(path_.c_str()); // stale: its server is gone
    }
    acceptor_.open(local());
    acceptor_.bind(local::endpoint(path_));
    bound_ = true;
    acceptor_.listen();
    ::chmod(path_.c_str(), 0660);
}

ControlSocket::~ControlSocket() {
    close();
}

void ControlSocket::set_owner(const std::string& user, const std::string& group) {
    if (user.empty()) return;
    const passwd* pw = ::getpwnam(user.c_str());
    if (!pw) return;
    gid_t gid = pw->pw_gid;
    if (!group.empty())
        if (const struct group* gr = ::getgrnam(group.c_str())) gid = gr->gr_gid;
    if (::chown(path_.c_str(), pw->pw_uid, gid) != 0)
        log::warning("control socket " + path_ + ": cannot hand it to " + user + ": " +
                     std::strerror(errno));
}

void ControlSocket::start() {
    accept();
}

void ControlSocket::accept() {
    acceptor_.async_accept([self = shared_from_this()](boost::system::error_code ec,
                                                       local::socket socket) {
        if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
        if (ec)
            return accept_after_pause(self->accept_pause_, "control", ec,
                                      [self] { self->accept(); });
        if (auto slot = self->slots_.take())
            std::make_shared<Session>(std::move(socket), self->handler_, std::move(*slot))->start();
        else
            log::warning("control: " + std::to_string(max_clients) + " clients already; " +
                         caller(socket) + " refused");
        self->accept();
    });
}

void ControlSocket::close() {
    boost::system::error_code ignored;
    accept_pause_.cancel();
    acceptor_.close(ignored);
    if (bound_) {
        ::unlink(path_.c_str());
        bound_ = false;
    }
}

} // namespace srvd::server
