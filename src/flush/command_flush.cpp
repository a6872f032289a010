// A command of the operator's (a resolver srvd does not speak to, a fleet's
// own tooling): run with the changed names appended as arguments (a zone
// flushed whole as "*.ZONE"), success being exit status 0 (its output's
// first line tells a failure). Run without a shell; its exit is awaited on
// a pidfd, so the control thread never blocks on it, and a timeout kills
// its process group.
#include "flush/channel.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace srvd::flush {
namespace {

namespace asio = boost::asio;
using asio::use_awaitable;

constexpr std::size_t max_output = 4096;

class CommandChannel final : public Channel {
  public:
    CommandChannel(asio::io_context& io, config::ResolverTarget target)
        : io_(io), target_(std::move(target)) {}

    asio::awaitable<std::string> flush(const std::vector<FlushItem>& items) override {
        std::vector<std::string> words = target_.command;
        for (const auto& item : items) words.push_back(item.subtree ? "*." + item.name : item.name);
        int pipe[2];
        if (::pipe2(pipe, O_CLOEXEC) != 0) co_return std::string("pipe: ") + std::strerror(errno);
        auto output = std::make_shared<Output>(io_, pipe[0]);
        pid_ = spawn(words, pipe[1]);
        ::close(pipe[1]);
        if (pid_ < 0) co_return target_.command[0] + ": " + std::strerror(-pid_);
        Output::read(output);
        // The exit, not the end of the output, ends the attempt: a child it
        // left behind may hold the pipe open. glibc 2.36's <sys/pidfd.h>
        // declares pidfd_open without C linkage, hence the syscall.
        const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
        if (pidfd >= 0) {
            asio::posix::stream_descriptor exited(io_, pidfd);
            boost::system::error_code error;
            co_await exited.async_wait(asio::posix::descriptor_base::wait_read,
                                       asio::redirect_error(use_awaitable, error));
        }
        int status = 0;
        ::waitpid(pid_, &status, 0); // it has exited: this does not block
        pid_ = -1;
        const std::string text = output->finish();
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) co_return std::string();
        const std::string how = WIFEXITED(status)
                                    ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                    : "killed by signal " + std::to_string(WTERMSIG(status));
        co_return target_.command[0] + " " + how +
            (text.empty() ? "" : ": " + text.substr(0, text.find('\n')));
    }

    void abort() override {
        // Its process group: a shell script's children go with it.
        if (pid_ > 0) ::kill(-pid_, SIGKILL);
    }

  private:
    // What the command writes, read as it comes (it must not block on a
    // full pipe) and kept up to max_output bytes.
    struct Output {
        Output(asio::io_context& io, int fd) : pipe(io, fd) {}
        static void read(const std::shared_ptr<Output>& o) {
            o->pipe.async_read_some(
                asio::buffer(o->chunk), [o](const boost::system::error_code& error, std::size_t n) {
                    if (error) return;
                    o->text.append(o->chunk.data(),
                                   std::min(n, max_output - std::min(max_output, o->text.size())));
                    read(o);
                });
        }
        // After the exit: what is left in the pipe, and no more reading.
        std::string finish() {
            boost::system::error_code error;
            pipe.non_blocking(true, error);
            while (!error && text.size() < max_output) {
                const std::size_t n = pipe.read_some(asio::buffer(chunk), error);
                text.append(chunk.data(), std::min(n, max_output - text.size()));
            }
            pipe.close(error);
            return text;
        }
        asio::posix::stream_descriptor pipe;
        std::array<char, 512> chunk{};
        std::string text;
    };

    // The child's pid, in a process group of its own, or -errno.
    static pid_t spawn(const std::vector<std::string>& words, int output) {
        std::vector<char*> argv;
        for (const auto& w : words) argv.push_back(const_cast<char*>(w.c_str()));
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&actions, output, 1);
        posix_spawn_file_actions_adddup2(&actions, output, 2);
        posix_spawnattr_t attributes;
        posix_spawnattr_init(&attributes);
        posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attributes, 0);
        pid_t pid = -1;
        const int error = ::posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
        posix_spawnattr_destroy(&attributes);
        posix_spawn_file_actions_destroy(&actions);
        return error ? -error : pid;
    }

    asio::io_context& io_;
    const config::ResolverTarget target_;
    pid_t pid_ = -1; // of the attempt under way
};

} // namespace

std::unique_ptr<Channel> command_channel(asio::io_context& io,
                                         const config::ResolverTarget& target) {
    return std::make_unique<CommandChannel>(io, target);
}

} // namespace srvd::flush
