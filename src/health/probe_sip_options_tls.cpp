// SIP OPTIONS over TLS (RFC 3261 26.2.1): connect, a TLS handshake naming
// the media server (SNI, RFC 6066 3) as a phone following the SRV target
// would, then the stream probe (probe_stream.hpp). Given health.tls_ca_file
// the certificate must chain to it and carry that name: an expired or
// wrong certificate fails the phones too, so it fails the probe.
#include "health/probe_stream.hpp"
#include "health/tls_client_context.hpp"

#include <boost/asio/ssl.hpp>

namespace srvd::health {
namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

// The context comes first so the stream, built after it, can use it; the
// attempt holds it (tls_client_context shares it between attempts).
struct TlsContext {
    std::shared_ptr<ssl::context> context;
};
struct TlsAttempt : TlsContext, Attempt<ssl::stream<asio::ip::tcp::socket>> {
    TlsAttempt(asio::io_context& io, ProbeDone d, std::shared_ptr<ssl::context> c)
        : TlsContext{std::move(c)}, Attempt<ssl::stream<asio::ip::tcp::socket>>(io, std::move(d),
                                                                                *context) {}
};

} // namespace

void probe_sip_options_tls(asio::io_context& io, const config::HealthConfig& c,
                           const ProbeTarget& target, ProbeDone done) {
    std::string error;
    auto context = tls_client_context(c.tls_ca_file, error);
    // srvd's own configuration, not the server's failure.
    if (!context)
        return done({false, 0, "not sent: CA file " + c.tls_ca_file + ": " + error, true});
    auto a = std::make_shared<TlsAttempt>(io, std::move(done), std::move(context));
    if (!c.tls_ca_file.empty()) {
        a->socket.set_verify_mode(ssl::verify_peer);
        a->socket.set_verify_callback(ssl::host_name_verification(target.server_name));
    } else {
        a->socket.set_verify_mode(ssl::verify_none);
    }
    if (!SSL_set_tlsext_host_name(a->socket.native_handle(), target.server_name.c_str()))
        return a->finish({false, 0, "not sent: cannot set the TLS server name", true});
    arm_timeout(a, c.timeout_ms);
    a->socket.lowest_layer().async_connect(
        {target.address, target.port}, [a](boost::system::error_code ec) {
            if (ec) return a->finish(probe_failed(ec));
            a->socket.async_handshake(ssl::stream_base::client, [a](boost::system::error_code ec) {
                if (ec) return a->finish({false, 0, "TLS handshake: " + ec.message()});
                send_options(a, "TLS");
            });
        });
}

} // namespace srvd::health
