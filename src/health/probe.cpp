#include "health/probe.hpp"

#include <cerrno>

namespace srvd::health {

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

ProbeKind probe_kind(const config::HealthConfig& c, config::Transport t) {
    if (c.probe == config::HealthConfig::Probe::tcp_connect) return ProbeKind::tcp_connect;
    switch (t) {
    case config::Transport::udp:
        return ProbeKind::sip_options_udp;
    case config::Transport::tcp:
        return ProbeKind::sip_options_tcp;
    case config::Transport::tls:
        return ProbeKind::sip_options_tls;
    }
    return ProbeKind::sip_options_udp;
}

bool over_tcp(ProbeKind kind) {
    return kind != ProbeKind::sip_options_udp;
}

void probe(boost::asio::io_context& io, const config::HealthConfig& config,
           const ProbeTarget& target, ProbeDone done) {
    switch (probe_kind(config, target.transport)) {
    case ProbeKind::sip_options_udp:
        return probe_sip_options_udp(io, config, target, std::move(done));
    case ProbeKind::sip_options_tcp:
        return probe_sip_options_tcp(io, config, target, std::move(done));
    case ProbeKind::sip_options_tls:
        return probe_sip_options_tls(io, config, target, std::move(done));
    case ProbeKind::tcp_connect:
        return probe_tcp_connect(io, config, target, std::move(done));
    }
}

} // namespace srvd::health
