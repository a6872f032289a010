#include "net/udp_listener.hpp"

#include "dns/wire.hpp"
#include "query/pipeline.hpp"
#include "util/client_address.hpp"
#include "util/log.hpp"

#include <boost/asio/socket_base.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <unistd.h>

namespace srvd::net {

UdpListener::UdpListener(boost::asio::io_context& io,
                         const boost::asio::ip::udp::endpoint& endpoint,
                         const zone::SnapshotHolder& holder, metrics::WorkerCounters& counters,
                         std::shared_ptr<query::RrlTable> rrl,
                         std::shared_ptr<query::SigningQuota> signing)
    : holder_(holder), counters_(counters), limiter_(config::RrlConfig{}, std::move(rrl)),
      quota_(std::move(signing)), signing_(*quota_, false), in_(batch * max_query),
      out_(batch * dns::max_message_size) {
    // Asio opens and binds (its errors name the cause), then lets go of the
    // descriptor: left in the io_context's epoll set, every datagram would
    // wake that thread for nothing (measured: a tenth of a core at 60k q/s).
    boost::asio::ip::udp::socket socket(io);
    socket.open(endpoint.protocol());
    const int fd = socket.native_handle();
    // One socket per worker on the same address; the kernel spreads queries.
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (endpoint.address().is_v6()) socket.set_option(boost::asio::ip::v6_only(true));
    // The kernel's default (208 KiB, ~600 queries in flight as skbs) overflows
    // while a worker answers one batch under a burst: measured as
    // RcvbufErrors with dnsperf. 4 MiB holds several thousand queries; FORCE
    // (root) goes past net.core.rmem_max, the plain option up to it.
    int buffer = receive_buffer;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0)
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    buffer = send_buffer;
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buffer, sizeof buffer) != 0)
        ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    // A wildcard socket would answer from the address the kernel picks for
    // the route back (127.0.0.1 for a query to 127.0.0.55), and clients drop
    // replies from an address they did not ask. Like NSD, Knot and BIND, ask
    // for each query's destination and send the reply from it.
    wildcard_ = endpoint.address().is_unspecified();
    if (wildcard_) {
        if (endpoint.address().is_v4())
            ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
        else
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    }
    // Receives block (run() is this socket's own thread) but wake once a
    // second, so an idle listener still lets go of a replaced snapshot.
    timeval wake{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wake, sizeof wake);
    socket.bind(endpoint);
    fd_ = socket.release();
    for (std::size_t i = 0; i < batch; ++i) {
        in_iov_[i] = {in_.data() + i * max_query, max_query};
        out_iov_[i] = {out_.data() + i * dns::max_message_size, 0};
    }
}

UdpListener::~UdpListener() {
    ::close(fd_);
}

void UdpListener::run() {
    while (!closed_.load(std::memory_order_relaxed)) {
        const int received = receive_batch();
        // After the receive, which may have blocked through a reload or a
        // health change: a batch is answered from the snapshot current when
        // it arrived. One atomic load when nothing changed; rate limiting's
        // settings are copied only when they did. An idle wake (the receive
        // timeout) refreshes too, releasing a replaced snapshot.
        if (holder_.refresh(snapshot_, generation_, &rrl_)) limiter_.reconfigure(*rrl_);
        if (received > 0) send_batch(answer_batch(static_cast<std::size_t>(received)));
    }
}

void UdpListener::close() {
    closed_.store(true, std::memory_order_relaxed);
    // Wakes a receive blocked in run() (Linux does so even for an
    // unconnected socket, though it returns ENOTCONN). Reading only: a batch
    // being answered is still sent (SHUT_WR would fail it with EPIPE). The
    // descriptor itself is closed with the listener, after its thread has
    // ended: closed now, its number could be reused under a running recvmmsg.
    ::shutdown(fd_, SHUT_RD);
}

std::uint16_t UdpListener::port() const {
    sockaddr_storage address{};
    socklen_t size = sizeof address;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) return 0;
    return ntohs(address.ss_family == AF_INET6
                     ? reinterpret_cast<const sockaddr_in6&>(address).sin6_port
                     : reinterpret_cast<const sockaddr_in&>(address).sin_port);
}

int UdpListener::receive_batch() {
    for (std::size_t i = 0; i < batch; ++i) {
        in_msgs_[i].msg_hdr = {};
        in_msgs_[i].msg_hdr.msg_name = &peers_[i];
        in_msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
        in_msgs_[i].msg_hdr.msg_iov = &in_iov_[i];
        in_msgs_[i].msg_hdr.msg_iovlen = 1;
        if (wildcard_) {
            in_msgs_[i].msg_hdr.msg_control = &in_control_[i];
            in_msgs_[i].msg_hdr.msg_controllen = sizeof(Control);
        }
    }
    // Blocks for the first datagram, then takes what else is queued.
    const int received = ::recvmmsg(fd_, in_msgs_.data(), batch, MSG_WAITFORONE, nullptr);
    if (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        log::warning(std::string("udp receive: ") + std::strerror(errno));
    return received;
}

std::size_t UdpListener::answer_batch(std::size_t received) {
    std::size_t replies = 0;
    // One clock read per query: each query's time runs on from the last's.
    auto since = std::chrono::steady_clock::now();
    const auto now_seconds = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(since.time_since_epoch()).count());
    for (std::size_t i = 0; i < received; ++i) {
        if (in_msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
        engine::Request request{static_cast<const std::uint8_t*>(in_iov_[i].iov_base),
                                in_msgs_[i].msg_len, engine::Protocol::udp,
                                client_address(reinterpret_cast<sockaddr*>(&peers_[i]))};
        request.budget = &signing_;
        auto* out = out_.data() + replies * dns::max_message_size;
        engine::AnswerInfo info;
        const query::Result result =
            query::process(*snapshot_, request, &limiter_, now_seconds, out, dns::max_message_size,
                           info, &counters_, &since);
        std::size_t size = result.size;
        if (result.action == query::Action::drop) continue;
        if (result.action == query::Action::transfer) {
            // Signed queries and IXFR over UDP: rare, and allowed to allocate (see xfr/).
            const xfr::Outcome outcome = query::transfer(*snapshot_, request, info);
            since = std::chrono::steady_clock::now(); // the next query's time starts after it
            if (!outcome.log.empty()) log::info(outcome.log);
            query::count_transfer(counters_, engine::Protocol::udp, info, result, outcome);
            if (outcome.messages.empty()) continue;
            size = std::min(outcome.messages.front().size(), dns::max_message_size);
            std::memcpy(out, outcome.messages.front().data(), size);
        }
        queue_reply(i, replies++, out, size);
    }
    return replies;
}

void UdpListener::queue_reply(std::size_t query, std::size_t reply, std::uint8_t* data,
                              std::size_t size) {
    out_iov_[reply].iov_len = size;
    out_iov_[reply].iov_base = data;
    out_msgs_[reply].msg_hdr = {};
    out_msgs_[reply].msg_hdr.msg_name = &peers_[query];
    out_msgs_[reply].msg_hdr.msg_namelen = in_msgs_[query].msg_hdr.msg_namelen;
    out_msgs_[reply].msg_hdr.msg_iov = &out_iov_[reply];
    out_msgs_[reply].msg_hdr.msg_iovlen = 1;
    if (wildcard_) reply_from_query_destination(query, reply);
}

void UdpListener::send_batch(std::size_t replies) {
    for (std::size_t sent = 0; sent < replies;) {
        const int n = ::sendmmsg(fd_, out_msgs_.data() + sent, replies - sent, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR) continue;
            // A full send buffer drops the rest of the batch, as the
            // network would; the clients retry.
            return;
        }
        sent += static_cast<std::size_t>(n);
    }
}

void UdpListener::reply_from_query_destination(std::size_t query, std::size_t reply) {
    msghdr& in = in_msgs_[query].msg_hdr;
    msghdr& out = out_msgs_[reply].msg_hdr;
    for (cmsghdr* c = CMSG_FIRSTHDR(&in); c; c = CMSG_NXTHDR(&in, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo received;
            std::memcpy(&received, CMSG_DATA(c), sizeof received);
            // ipi_spec_dst is the source to use; ifindex 0 lets routing pick
            // the interface, as for any other reply.
            in_pktinfo send{};
            send.ipi_spec_dst = received.ipi_addr;
            out.msg_control = &out_control_[reply];
            out.msg_controllen = CMSG_SPACE(sizeof send);
            cmsghdr* o = CMSG_FIRSTHDR(&out);
            o->cmsg_level = IPPROTO_IP;
            o->cmsg_type = IP_PKTINFO;
            o->cmsg_len = CMSG_LEN(sizeof send);
            std::memcpy(CMSG_DATA(o), &send, sizeof send);
            return;
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
            // The same address and interface: a link-local destination
            // needs the interface to be a valid source.
            out.msg_control = &out_control_[reply];
            out.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
            cmsghdr* o = CMSG_FIRSTHDR(&out);
            o->cmsg_level = IPPROTO_IPV6;
            o->cmsg_type = IPV6_PKTINFO;
            o->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
            std::memcpy(CMSG_DATA(o), CMSG_DATA(c), sizeof(in6_pktinfo));
            return;
        }
    }
}

} // namespace srvd::net
