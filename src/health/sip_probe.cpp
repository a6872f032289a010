#include "health/sip_probe.hpp"

#include "util/host_port.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include <sys/random.h>

namespace srvd::health {
namespace asio = boost::asio;

namespace {

// Shared state of one probe: whichever of the answer and the timer comes
// first finishes it; the other finds it finished.
template <typename Socket> struct Attempt : std::enable_shared_from_this<Attempt<Socket>> {
    Attempt(asio::io_context& io, std::function<void(ProbeResult)> d)
        : socket(io), timer(io), done(std::move(d)) {}
    void finish(ProbeResult r) {
        if (finished) return;
        finished = true;
        timer.cancel();
        boost::system::error_code ignored;
        socket.close(ignored);
        done(std::move(r));
    }
    Socket socket;
    asio::steady_timer timer;
    std::function<void(ProbeResult)> done;
    bool finished = false;
    ProbeIds ids = new_probe_ids();
    std::string request;
    std::array<char, 4096> buffer{};
    asio::streambuf stream;
};

template <typename A> void arm_timeout(const std::shared_ptr<A>& a, std::uint32_t ms) {
    a->timer.expires_after(std::chrono::milliseconds(ms));
    a->timer.async_wait([a](boost::system::error_code ec) {
        if (!ec) a->finish({false, 0, "timed out"});
    });
}

// Provisional responses (1xx) are skipped: the final one decides.
void receive_final(const std::shared_ptr<Attempt<asio::ip::udp::socket>>& a) {
    a->socket.async_receive(asio::buffer(a->buffer),
                            [a](boost::system::error_code ec, std::size_t n) {
                                // ICMP port unreachable arrives here as connection_refused.
                                if (ec) return a->finish(probe_failed(ec));
                                const std::string response(a->buffer.data(), n);
                                // Not an answer to this request (a forgery
                                // "from" the server, a stray retransmission):
                                // ignored, as if never received.
                                if (!answers(response, a->ids)) return receive_final(a);
                                const int code = status_code(response);
                                if (code >= 100 && code < 200) return receive_final(a);
                                a->finish({code != 0, code, code ? "" : "not a SIP response"});
                            });
}

void probe_udp(asio::io_context& io, const config::HealthConfig& c,
               const asio::ip::udp::endpoint& target, std::function<void(ProbeResult)> done) {
    auto a = std::make_shared<Attempt<asio::ip::udp::socket>>(io, std::move(done));
    boost::system::error_code ec;
    a->socket.open(target.protocol(), ec);
    if (!ec) a->socket.connect(target, ec); // learns the local address for Via and Contact
    if (ec) return a->finish(probe_failed(ec));
    const auto local = a->socket.local_endpoint(ec);
    a->request = options_request(host_port(target.address(), target.port()),
                                 host_port(local.address(), local.port()), "UDP", a->ids);
    arm_timeout(a, c.timeout_ms);
    a->socket.async_send(asio::buffer(a->request), [a](boost::system::error_code ec, std::size_t) {
        if (ec) return a->finish(probe_failed(ec));
        receive_final(a);
    });
}

// The value of Content-Length (or its compact form "l") in a response's
// header block; 0 when absent.
std::size_t content_length(const std::string& head) {
    std::string lower(head.size(), ' ');
    std::transform(head.begin(), head.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* name : {"\r\ncontent-length:", "\r\nl:"}) {
        const auto at = lower.find(name);
        if (at == std::string::npos) continue;
        return static_cast<std::size_t>(
            std::strtoul(lower.c_str() + at + std::strlen(name), nullptr, 10));
    }
    return 0;
}

// Over TCP a response is a header block and Content-Length bytes of body; a
// provisional one (100 Trying, which a proxy in front of the media server
// sends) is skipped whole, as over UDP: the final response decides.
void receive_final(const std::shared_ptr<Attempt<asio::ip::tcp::socket>>& a) {
    asio::async_read_until(
        a->socket, a->stream, "\r\n\r\n", [a](boost::system::error_code ec, std::size_t n) {
            if (ec) return a->finish(probe_failed(ec));
            const std::string head(asio::buffers_begin(a->stream.data()),
                                   asio::buffers_begin(a->stream.data()) + n);
            a->stream.consume(n);
            if (!answers(head, a->ids))
                return a->finish({false, 0, "a response that does not answer this probe"});
            const int code = status_code(head);
            if (code < 100 || code >= 200)
                return a->finish({code != 0, code, code ? "" : "not a SIP response"});
            const std::size_t body = content_length(head);
            if (body <= a->stream.size()) {
                a->stream.consume(body);
                return receive_final(a);
            }
            asio::async_read(a->socket, a->stream, asio::transfer_exactly(body - a->stream.size()),
                             [a, body](boost::system::error_code ec, std::size_t) {
                                 if (ec) return a->finish(probe_failed(ec));
                                 a->stream.consume(body);
                                 receive_final(a);
                             });
        });
}

void probe_tcp(asio::io_context& io, const config::HealthConfig& c,
               const asio::ip::tcp::endpoint& target, std::function<void(ProbeResult)> done) {
    auto a = std::make_shared<Attempt<asio::ip::tcp::socket>>(io, std::move(done));
    const bool sip = c.probe == config::HealthConfig::Probe::sip_options;
    arm_timeout(a, c.timeout_ms);
    a->socket.async_connect(target, [a, target, sip](boost::system::error_code ec) {
        if (ec) return a->finish(probe_failed(ec));
        if (!sip) return a->finish({true, 200, ""});
        const auto local = a->socket.local_endpoint(ec);
        a->request = options_request(host_port(target.address(), target.port()),
                                     host_port(local.address(), local.port()), "TCP", a->ids);
        asio::async_write(a->socket, asio::buffer(a->request),
                          [a](boost::system::error_code ec, std::size_t) {
                              if (ec) return a->finish(probe_failed(ec));
                              receive_final(a);
                          });
    });
}

} // namespace

ProbeResult probe_failed(const boost::system::error_code& ec) {
    ProbeResult r{false, 0, ec.message()};
    if (ec.category() == boost::system::system_category()) switch (ec.value()) {
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
        case ENETUNREACH:   // no route from here
        case EADDRNOTAVAIL: // no local port left
            r.not_sent = true;
            r.error = "not sent: " + r.error;
        }
    return r;
}

ProbeIds new_probe_ids() {
    static const char hex[] = "0123456789abcdef";
    std::uint8_t random[48];
    // getrandom(2) fails only before the kernel's pool is seeded, at boot.
    while (getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random)) {
    }
    std::string tokens[3];
    for (int t = 0; t < 3; ++t)
        for (int i = 0; i < 16; ++i) {
            tokens[t].push_back(hex[random[16 * t + i] >> 4]);
            tokens[t].push_back(hex[random[16 * t + i] & 15]);
        }
    return {"z9hG4bK" + tokens[0], tokens[1], tokens[2] + "@srvd"};
}

std::string options_request(const std::string& target, const std::string& local,
                            const char* transport, const ProbeIds& ids) {
    return "OPTIONS sip:" + target + " SIP/2.0\r\n" + "Via: SIP/2.0/" + transport + " " + local +
           ";branch=" + ids.branch + ";rport\r\n" +
           "Max-Forwards: 70\r\n"
           "From: <sip:srvd@" +
           local + ">;tag=" + ids.tag + "\r\n" + "To: <sip:" + target + ">\r\n" +
           "Call-ID: " + ids.call_id + "\r\n" +
           "CSeq: 1 OPTIONS\r\n"
           "Contact: <sip:srvd@" +
           local + ">\r\n" +
           "Accept: application/sdp\r\n"
           "User-Agent: srvd/" SRVD_VERSION "\r\n"
           "Content-Length: 0\r\n\r\n";
}

namespace {

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// The value of a header parameter (";branch=..."), compared without case
// as RFC 3261 7.3.1 has parameter names; empty when absent.
std::string_view parameter(std::string_view value, std::string_view name) {
    const std::string lower = lowercase(value);
    for (std::size_t at = lower.find(';'); at != std::string::npos; at = lower.find(';', at + 1)) {
        std::string_view p = trim(value.substr(at + 1));
        if (lowercase(p.substr(0, name.size())) != name || p.size() <= name.size() ||
            p[name.size()] != '=')
            continue;
        p.remove_prefix(name.size() + 1);
        return trim(p.substr(0, p.find_first_of(";, \t")));
    }
    return {};
}

} // namespace

bool answers(const std::string& response, const ProbeIds& ids) {
    // The first value of each header that identifies the transaction, by
    // its full or compact name (RFC 3261 7.3.3).
    std::string_view via, from, call_id, cseq;
    std::string_view rest(response);
    rest.remove_prefix(std::min(rest.size(), rest.find('\n') + 1)); // the status line
    while (!rest.empty()) {
        const std::size_t end = rest.find('\n');
        const std::string_view line = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
        if (trim(line).empty()) break; // the end of the header block
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string name = lowercase(trim(line.substr(0, colon)));
        const std::string_view value = trim(line.substr(colon + 1));
        std::string_view* field = name == "via" || name == "v"       ? &via
                                  : name == "from" || name == "f"    ? &from
                                  : name == "call-id" || name == "i" ? &call_id
                                  : name == "cseq"                   ? &cseq
                                                                     : nullptr;
        if (field && field->empty()) *field = value;
    }
    const std::string_view top_via = via.substr(0, via.find(','));
    return parameter(top_via, "branch") == ids.branch && parameter(from, "tag") == ids.tag &&
           call_id == ids.call_id && lowercase(cseq) == "1 options";
}

int status_code(const std::string& response) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 7.2)
    if (response.size() < 12 || response.compare(0, 8, "SIP/2.0 ") != 0) return 0;
    int code = 0;
    for (int i = 8; i < 11; ++i) {
        if (response[i] < '0' || response[i] > '9') return 0;
        code = code * 10 + (response[i] - '0');
    }
    return code >= 100 && code <= 699 ? code : 0;
}

void probe(asio::io_context& io, const config::HealthConfig& config,
           const asio::ip::address& address, std::uint16_t port,
           std::function<void(ProbeResult)> done) {
    if (config.probe == config::HealthConfig::Probe::sip_options &&
        config.transport == config::Transport::udp)
        probe_udp(io, config, {address, port}, std::move(done));
    else
        probe_tcp(io, config, {address, port}, std::move(done));
}

} // namespace srvd::health
