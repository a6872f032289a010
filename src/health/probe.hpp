#pragma once
// One health probe of one media server over one transport, of the kind its
// zone's `health:` asks for: SIP OPTIONS over UDP, TCP or TLS (RFC 3261 11),
// or a plain TCP connect. Each kind is one file (probe_*.cpp) behind the
// one signature below, and probe_kind() is the one place that chooses it,
// for the probe and for the port a probe's state is keyed by: a new kind is
// a new file and a line there. Asio only; no thread per probe.
#include "config/zone_policy.hpp"
#include "health/health_table.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace srvd::health {

struct ProbeResult {
    ProbeResult(bool answered_ = false, int code_ = 0, std::string error_ = {},
                bool not_sent_ = false, std::string head_ = {})
        : answered(answered_), code(code_), error(std::move(error_)), not_sent(not_sent_),
          head(std::move(head_)) {}
    bool answered = false; // a status line came back (or, tcp-connect, it connected)
    int code = 0;          // SIP status code
    std::string error;     // why not, for the log
    // srvd could not send it (out of descriptors or buffers, no route): says
    // nothing about the media server, so it counts neither way.
    bool not_sent = false;
    std::string head; // the final response's header block (health.load.header)
};
using ProbeDone = std::function<void(ProbeResult)>;

// A probe's failure: not sent when the error is this host's own.
ProbeResult probe_failed(const boost::system::error_code& ec);

enum class ProbeKind : std::uint8_t {
    sip_options_udp,
    sip_options_tcp,
    sip_options_tls,
    tcp_connect
};
ProbeKind probe_kind(const config::HealthConfig& config, config::Transport transport);
// Whether the kind probes over TCP (a udp transport then means the TCP port).
bool over_tcp(ProbeKind kind);

// Runs one probe of `config`'s kind over `target.transport` and calls
// `done` exactly once, within `config.timeout_ms`.
void probe(boost::asio::io_context& io, const config::HealthConfig& config,
           const ProbeTarget& target, ProbeDone done);

// The kinds, each in its own file, as probe() calls them.
void probe_sip_options_udp(boost::asio::io_context& io, const config::HealthConfig& config,
                           const ProbeTarget& target, ProbeDone done);
void probe_sip_options_tcp(boost::asio::io_context& io, const config::HealthConfig& config,
                           const ProbeTarget& target, ProbeDone done);
void probe_sip_options_tls(boost::asio::io_context& io, const config::HealthConfig& config,
                           const ProbeTarget& target, ProbeDone done);
void probe_tcp_connect(boost::asio::io_context& io, const config::HealthConfig& config,
                       const ProbeTarget& target, ProbeDone done);

} // namespace srvd::health
