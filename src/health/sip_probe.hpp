#pragma once
// One health probe of one media server: SIP OPTIONS over UDP or TCP (RFC 3261
// 11), or a plain TCP connect. Asio only; no thread per probe.
#include "config/zone_policy.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>

#include <functional>
#include <string>

namespace srvd::health {

struct ProbeResult {
    bool answered = false; // a status line came back (or, tcp-connect, it connected)
    int code = 0;          // SIP status code
    std::string error;     // why not, for the log
    // srvd could not send it (out of descriptors or buffers, no route): says
    // nothing about the media server, so it counts neither way.
    bool not_sent = false;
};

// A probe's failure: not sent when the error is this host's own.
ProbeResult probe_failed(const boost::system::error_code& ec);

// Runs one probe and calls `done` exactly once, within `config.timeout_ms`.
void probe(boost::asio::io_context& io, const config::HealthConfig& config,
           const boost::asio::ip::address& address, std::uint16_t port,
           std::function<void(ProbeResult)> done);

// What identifies one probe's request, and so its response: each token 128
// random bits from the kernel, so that no one off the path can forge a
// response that srvd would take for the media server's (RFC 3261 17.1.3).
struct ProbeIds {
    std::string branch, tag, call_id;
};
ProbeIds new_probe_ids();

// The OPTIONS request srvd sends (exposed for tests).
std::string options_request(const std::string& target, const std::string& local,
                            const char* transport, const ProbeIds& ids);
// "SIP/2.0 200 OK\r\n…" → 200; 0 when the text is not a SIP response.
int status_code(const std::string& response);
// Whether a response (its header block) answers the request with `ids`:
// its top Via's branch, its From tag, Call-ID and CSeq ("1 OPTIONS") are
// the request's. Anything else is not the media server's answer to it.
bool answers(const std::string& response, const ProbeIds& ids);

} // namespace srvd::health
