#include "server/descriptor_budget.hpp"

#include <sys/resource.h>

namespace srvd::server {

std::uint64_t raise_open_file_limit() {
    rlimit l{};
    if (::getrlimit(RLIMIT_NOFILE, &l) != 0) return 0;
    if (l.rlim_cur < l.rlim_max) {
        const rlim_t before = l.rlim_cur;
        l.rlim_cur = l.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &l) != 0) return before;
    }
    return l.rlim_cur;
}

std::uint64_t open_file_hard_limit() {
    rlimit l{};
    return ::getrlimit(RLIMIT_NOFILE, &l) == 0 ? l.rlim_max : 0;
}

std::uint64_t descriptors_needed(const config::ServerConfig& config, const zone::Snapshot& snapshot,
                                 unsigned threads, std::size_t addresses) {
    // stdio, the GeoIP copy and files opened by a reload, epoll and eventfd
    // descriptors of each worker's event loop: a fixed allowance.
    constexpr std::uint64_t margin = 64;
    // The control socket's and /metrics' clients at once (both are capped).
    constexpr std::uint64_t control_clients = 32;
    std::uint64_t probes = 0;
    for (const auto& z : snapshot.zones)
        if (z.data->policy.health) probes += z.data->policy.media_servers.size();
    return std::uint64_t{threads} * addresses * 2 + config.limits.tcp_clients + probes +
           2 * control_clients + margin;
}

std::string descriptor_shortfall(const config::ServerConfig& config, std::uint64_t needed,
                                 std::uint64_t limit) {
    if (limit == 0 || needed <= limit) return {};
    return config.file + ": limits.tcp_clients (" + std::to_string(config.limits.tcp_clients) +
           ") with the listening sockets, health probes and control clients need up to " +
           std::to_string(needed) + " open files, but the limit is " + std::to_string(limit) +
           ": raise it (LimitNOFILE= in the unit, ulimit -n) or lower limits.tcp_clients; out of "
           "descriptors, new TCP clients wait";
}

} // namespace srvd::server
