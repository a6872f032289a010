// The control socket in process: a real ControlSocket on an io_context and
// the real client (`srvd ctl`'s ask_control) on another thread. A command's
// words reach the handler; its reply (status, text) comes back whether the
// handler answers at once or later; an oversized request is refused; a
// second server will not take a socket a live one answers on; close()
// removes the socket file.
#include "server/control_client.hpp"
#include "server/control_socket.hpp"
#include "support/test_support.hpp"

#include <boost/asio/steady_timer.hpp>
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <future>
#include <string>

using namespace srvd;
namespace asio = boost::asio;

namespace {

struct Plane {
    test::TempDir dir;
    const std::string path = dir.path() + "/run/ctl.sock"; // run/: made by the socket
    asio::io_context io;
    std::vector<std::vector<std::string>> seen;
    std::shared_ptr<server::ControlSocket> socket;

    Plane() {
        socket = std::make_shared<server::ControlSocket>(
            io, path, [this](const std::vector<std::string>& words, server::ReplyTo done) {
                seen.push_back(words);
                if (words.front() == "later") {
                    // As a reload does: the reply comes from a later turn of the loop.
                    auto timer = std::make_shared<asio::steady_timer>(io);
                    timer->expires_after(std::chrono::milliseconds(50));
                    timer->async_wait([timer, done](auto) { done({3, "done later\n"}); });
                    return;
                }
                std::string text;
                for (const auto& w : words) text += "[" + w + "]";
                done({0, text + "\n"});
            });
        socket->start();
    }
    // Asks from another thread while the loop runs here.
    server::Reply ask(std::vector<std::string> words) {
        auto reply = std::async(std::launch::async, [&] {
            return server::ask_control(path, words, std::chrono::milliseconds(3000));
        });
        while (reply.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
            io.run_for(std::chrono::milliseconds(5));
        return reply.get();
    }
};

} // namespace

TEST_CASE("control socket: words in, status and text out, at once or later") {
    Plane p;
    struct stat st {};
    REQUIRE(::stat(p.path.c_str(), &st) == 0);
    CHECK(S_ISSOCK(st.st_mode));
    CHECK((st.st_mode & 0777) == 0660);

    const auto now = p.ask({"drain", "ms1", "--zone", "a.example"});
    CHECK(now.status == 0);
    CHECK(now.text == "[drain][ms1][--zone][a.example]\n");
    const auto later = p.ask({"later"});
    CHECK(later.status == 3);
    CHECK(later.text == "done later\n");
    REQUIRE(p.seen.size() == 2);
    CHECK(p.seen[0] == std::vector<std::string>{"drain", "ms1", "--zone", "a.example"});
}

TEST_CASE("control socket: an oversized request is refused, not read on and on") {
    Plane p;
    const auto reply = p.ask({std::string(server::ControlSocket::max_request + 10, 'x')});
    CHECK(reply.status == 2);
    CHECK(reply.text == "request too long\n");
    CHECK(p.seen.empty());
    CHECK(p.ask({"status"}).status == 0); // and the socket still serves
}

TEST_CASE("control socket: a live one is not taken over, and close removes the file") {
    Plane p;
    asio::io_context other;
    std::string error;
    try {
        server::ControlSocket second(other, p.path, {});
    } catch (const std::runtime_error& e) {
        error = e.what();
    }
    CHECK(error == "another srvd answers on it");
    p.socket->close();
    struct stat st {};
    CHECK(::stat(p.path.c_str(), &st) != 0);
    // Nothing there now: the client says so (status 2), it does not hang.
    const auto reply = server::ask_control(p.path, {"status"}, std::chrono::milliseconds(500));
    CHECK(reply.status == 2);
}
