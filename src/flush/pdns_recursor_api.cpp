// The PowerDNS Recursor's HTTP API (webserver=yes, api-key): a connection
// per attempt (kept alive while the Recursor keeps it), a PUT .../cache/flush?domain=NAME per
// name (subtree=true for a whole zone), each answered 200 with the count
// of entries removed from the record, negative and packet caches.
#include "flush/socket_channel.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace srvd::flush {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::use_awaitable;

// RFC 3986 percent-encoding of a query value: a DNS name may hold any byte.
std::string query_value(const std::string& text) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

class PdnsRecursorChannel final : public SocketChannel {
  public:
    using SocketChannel::SocketChannel;

    asio::awaitable<std::string> flush(const std::vector<FlushItem>& items) override {
        try {
            asio::ip::tcp::socket s(io_);
            CloseWhileAlive closing(*this, [&s] { s.close(); });
            boost::beast::flat_buffer buffer;
            for (const auto& item : items) {
                if (!s.is_open()) { // the first request, or the Recursor closed after the last
                    buffer.clear();
                    co_await s.async_connect(target_.endpoint, use_awaitable);
                }
                http::request<http::empty_body> request{
                    http::verb::put,
                    "/api/v1/servers/localhost/cache/flush?domain=" + query_value(item.name) +
                        (item.subtree ? "&subtree=true" : ""),
                    11};
                request.set(http::field::host, target_.endpoint.address().to_string());
                request.set("X-API-Key", target_.api_key);
                request.keep_alive(true);
                co_await http::async_write(s, request, use_awaitable);
                http::response<http::string_body> response;
                co_await http::async_read(s, buffer, response, use_awaitable);
                if (response.result() != http::status::ok)
                    co_return "pdns-recursor answered " + item.name + ": HTTP " +
                        std::to_string(response.result_int()) + " " +
                        response.body().substr(0, 200);
                if (!response.keep_alive()) s.close(); // 4.8 closes after each request
            }
        } catch (const std::exception& e) {
            co_return std::string(e.what());
        }
        co_return std::string();
    }
};

} // namespace

std::unique_ptr<Channel> pdns_recursor_channel(asio::io_context& io,
                                               const config::ResolverTarget& target) {
    return std::make_unique<PdnsRecursorChannel>(io, target);
}

} // namespace srvd::flush
