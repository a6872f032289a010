// A load reading over HTTP/1.1 (Beast): resolve, connect, GET, a 200 whose
// body is a number. One connection per reading, as often as the probes.
#include "health/load_source.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <cmath>
#include <memory>

namespace srvd::health {
namespace asio = boost::asio;
namespace http = boost::beast::http;

std::optional<double> parse_load(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return std::nullopt;
    const auto last = text.find_last_not_of(" \t\r\n");
    double value = 0;
    const char* end = text.data() + last + 1;
    const auto [ptr, ec] = std::from_chars(text.data() + first, end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
    return value;
}

namespace {

struct Fetch {
    Fetch(asio::io_context& io, std::function<void(LoadReading)> d)
        : resolver(io), socket(io), timer(io), done(std::move(d)) {}
    void finish(LoadReading r) {
        if (finished) return;
        finished = true;
        timer.cancel();
        resolver.cancel();
        boost::system::error_code ignored;
        socket.close(ignored);
        done(std::move(r));
    }
    asio::ip::tcp::resolver resolver;
    asio::ip::tcp::socket socket;
    asio::steady_timer timer;
    std::function<void(LoadReading)> done;
    bool finished = false;
    http::request<http::empty_body> request;
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
};

// http://HOST[:PORT]/PATH, HOST a name, an IPv4 address or [IPv6].
bool split_url(const std::string& url, std::string& host, std::string& port, std::string& path) {
    if (url.rfind("http://", 0) != 0) return false;
    const std::string rest = url.substr(7);
    const auto slash = rest.find('/');
    std::string authority = rest.substr(0, slash);
    path = slash == std::string::npos ? "/" : rest.substr(slash);
    port = "80";
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos) return false;
        host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') return false;
            port = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.find(':');
        host = authority.substr(0, colon);
        if (colon != std::string::npos) port = authority.substr(colon + 1);
    }
    return !host.empty() && !port.empty();
}

} // namespace

void fetch_load(asio::io_context& io, const std::string& url, std::uint32_t timeout_ms,
                std::function<void(LoadReading)> done) {
    auto f = std::make_shared<Fetch>(io, std::move(done));
    std::string host, port, path;
    if (!split_url(url, host, port, path)) return f->finish({std::nullopt, "not an http:// URL"});
    f->timer.expires_after(std::chrono::milliseconds(timeout_ms));
    f->timer.async_wait([f](boost::system::error_code ec) {
        if (!ec) f->finish({std::nullopt, "timed out"});
    });
    f->request = {http::verb::get, path, 11};
    f->request.set(http::field::host, host);
    f->request.set(http::field::user_agent, "srvd/" SRVD_VERSION);
    f->request.keep_alive(false);
    f->resolver.async_resolve(host, port, [f](boost::system::error_code ec, auto results) {
        if (ec) return f->finish({std::nullopt, ec.message()});
        asio::async_connect(f->socket, results, [f](boost::system::error_code ec, const auto&) {
            if (ec) return f->finish({std::nullopt, ec.message()});
            http::async_write(
                f->socket, f->request, [f](boost::system::error_code ec, std::size_t) {
                    if (ec) return f->finish({std::nullopt, ec.message()});
                    http::async_read(
                        f->socket, f->buffer, f->response,
                        [f](boost::system::error_code ec, std::size_t) {
                            if (ec) return f->finish({std::nullopt, ec.message()});
                            if (f->response.result() != http::status::ok)
                                return f->finish(
                                    {std::nullopt,
                                     "HTTP " + std::to_string(f->response.result_int())});
                            const auto load = parse_load(f->response.body());
                            f->finish({load, load ? "" : "the body is not a number"});
                        });
                });
        });
    });
}

} // namespace srvd::health
