// Knot Resolver's control socket (net.listen(path, nil, {kind='control'}),
// /run/knot-resolver/control/N under systemd): Lua, one command a line.
// "__binary" first makes each reply a 4-byte big-endian length and its
// text, so replies are read exactly; the "> " prompt kresd writes when a
// connection opens is skipped. cache.clear(NAME, true) drops one name;
// cache.clear(NAME) a whole zone.
#include "flush/socket_channel.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>

namespace srvd::flush {
namespace {

namespace asio = boost::asio;
using asio::use_awaitable;

constexpr std::uint32_t max_reply = 64 * 1024;

// A Lua string literal: names are hostnames in practice, but any byte may
// come through a policy, and the socket runs what it is given.
std::string lua_string(const std::string& text) {
    std::string out = "'";
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == '*') {
            out.push_back(static_cast<char>(c));
        } else {
            out += "\\" + std::to_string(c); // Lua's decimal escape
        }
    }
    return out + "'";
}

class KnotResolverChannel final : public SocketChannel {
  public:
    using SocketChannel::SocketChannel;

    asio::awaitable<std::string> flush(const std::vector<FlushItem>& items) override {
        try {
            asio::local::stream_protocol::socket s(io_);
            CloseWhileAlive closing(*this, [&s] { s.close(); });
            co_await s.async_connect({target_.socket_path}, use_awaitable);
            co_await asio::async_write(s, asio::buffer(std::string("__binary\n")), use_awaitable);
            bool first = true;
            for (const auto& item : items) {
                const std::string command =
                    "cache.clear(" + lua_string(item.name) + (item.subtree ? ")\n" : ", true)\n");
                co_await asio::async_write(s, asio::buffer(command), use_awaitable);
                std::string reply = co_await read_reply(s, first);
                first = false;
                // A table with the count of entries removed; an error is text.
                if (reply.find("['count']") == std::string::npos)
                    co_return "knot-resolver answered " + item.name + ": " +
                        reply.substr(0, reply.find('\n'));
            }
        } catch (const std::exception& e) {
            co_return std::string(e.what());
        }
        co_return std::string();
    }

  private:
    asio::awaitable<std::string> read_reply(asio::local::stream_protocol::socket& s, bool first) {
        std::array<unsigned char, 4> head{};
        co_await asio::async_read(s, asio::buffer(head), use_awaitable);
        if (first && head[0] == '>' && head[1] == ' ') { // the prompt, then the length
            head[0] = head[2];
            head[1] = head[3];
            co_await asio::async_read(s, asio::buffer(head.data() + 2, 2), use_awaitable);
        }
        const std::uint32_t size = (std::uint32_t{head[0]} << 24) | (std::uint32_t{head[1]} << 16) |
                                   (std::uint32_t{head[2]} << 8) | head[3];
        if (size > max_reply)
            throw std::runtime_error("knot-resolver: a reply of " + std::to_string(size) +
                                     " bytes");
        std::string reply(size, '\0');
        co_await asio::async_read(s, asio::buffer(reply), use_awaitable);
        co_return reply;
    }
};

} // namespace

std::unique_ptr<Channel> knot_resolver_channel(asio::io_context& io,
                                               const config::ResolverTarget& target) {
    return std::make_unique<KnotResolverChannel>(io, target);
}

} // namespace srvd::flush
