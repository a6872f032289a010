// Unbound's remote control, as unbound-control speaks it: one connection per
// command ("UBCT1 flush NAME\n"), the reply read to the end ("ok" first).
// Over TLS with the control certificate when configured (control-use-cert:
// yes, Unbound's default on a TCP control-interface), plain on a UNIX
// socket or with control-use-cert: no.
#include "flush/socket_channel.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace srvd::flush {
namespace {

namespace asio = boost::asio;
using asio::use_awaitable;

// Unbound's replies to flush commands are one line; a screenful is plenty.
constexpr std::size_t max_reply = 64 * 1024;

class UnboundChannel final : public SocketChannel {
  public:
    using SocketChannel::SocketChannel;

    asio::awaitable<std::string> flush(const std::vector<FlushItem>& items) override {
        for (const auto& item : items) {
            const std::string request = std::string("UBCT1 ") +
                                        (item.subtree ? "flush_zone " : "flush ") + item.name +
                                        "\n";
            std::string reply;
            try {
                reply = co_await command(request);
            } catch (const std::exception& e) {
                co_return std::string(e.what());
            }
            if (!reply.starts_with("ok"))
                co_return "unbound answered " + item.name + ": " +
                    reply.substr(0, reply.find('\n'));
        }
        co_return std::string();
    }

  private:
    // Writes `request` and reads the reply until Unbound closes.
    template <typename Stream>
    asio::awaitable<std::string> exchange(Stream& s, const std::string& request) {
        co_await asio::async_write(s, asio::buffer(request), use_awaitable);
        std::string reply;
        auto buffer = asio::dynamic_buffer(reply, max_reply);
        boost::system::error_code error;
        co_await asio::async_read(s, buffer, asio::redirect_error(use_awaitable, error));
        // The end of the reply: a plain close, or a TLS close without
        // close_notify (Unbound shuts its side down either way).
        if (error && error != asio::error::eof && error != asio::ssl::error::stream_truncated)
            throw boost::system::system_error(error);
        co_return reply;
    }

    asio::awaitable<std::string> command(const std::string& request) {
        if (!target_.socket_path.empty()) {
            asio::local::stream_protocol::socket s(io_);
            CloseWhileAlive closing(*this, [&s] { s.close(); });
            co_await s.async_connect({target_.socket_path}, use_awaitable);
            co_return co_await exchange(s, request);
        }
        if (target_.server_cert.empty()) {
            asio::ip::tcp::socket s(io_);
            CloseWhileAlive closing(*this, [&s] { s.close(); });
            co_await s.async_connect(target_.endpoint, use_awaitable);
            co_return co_await exchange(s, request);
        }
        // The certificate files are read per attempt: a renewed one is
        // picked up without a reload. The server's own certificate is the
        // only one trusted, as unbound-control trusts it.
        asio::ssl::context tls(asio::ssl::context::tls_client);
        tls.load_verify_file(target_.server_cert);
        tls.use_certificate_chain_file(target_.control_cert);
        tls.use_private_key_file(target_.control_key, asio::ssl::context::pem);
        tls.set_verify_mode(asio::ssl::verify_peer);
        asio::ssl::stream<asio::ip::tcp::socket> s(io_, tls);
        CloseWhileAlive closing(*this, [&s] { s.lowest_layer().close(); });
        co_await s.lowest_layer().async_connect(target_.endpoint, use_awaitable);
        co_await s.async_handshake(asio::ssl::stream_base::client, use_awaitable);
        co_return co_await exchange(s, request);
    }
};

} // namespace

std::unique_ptr<Channel> unbound_channel(asio::io_context& io,
                                         const config::ResolverTarget& target) {
    return std::make_unique<UnboundChannel>(io, target);
}

} // namespace srvd::flush
