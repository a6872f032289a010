#include "net/udp_listener.hpp"

#include "dns/wire.hpp"
#include "util/asio_address.hpp"
#include "util/log.hpp"
#include "xfr/responder.hpp"

#include <boost/asio/socket_base.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace srvd::net {

UdpListener::UdpListener(boost::asio::io_context& io,
                         const boost::asio::ip::udp::endpoint& endpoint,
                         const zone::SnapshotHolder& holder, metrics::WorkerCounters& counters)
    : socket_(io), holder_(holder), counters_(counters), limiter_(RrlConfig{}),
      in_(batch * max_query), out_(batch * dns::max_message_size) {
    socket_.open(endpoint.protocol());
    // One socket per worker on the same address; the kernel spreads queries.
    int one = 1;
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (endpoint.address().is_v6()) socket_.set_option(boost::asio::ip::v6_only(true));
    // The kernel's default (208 KiB, ~600 queries in flight as skbs) overflows
    // while a worker answers one batch under a burst: measured as
    // RcvbufErrors with dnsperf. 4 MiB holds several thousand queries; FORCE
    // (root) goes past net.core.rmem_max, the plain option up to it.
    int buffer = receive_buffer;
    if (::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) !=
        0)
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    buffer = send_buffer;
    if (::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDBUFFORCE, &buffer, sizeof buffer) !=
        0)
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    // A wildcard socket would answer from the address the kernel picks for
    // the route back (127.0.0.1 for a query to 127.0.0.55), and clients drop
    // replies from an address they did not ask. Like NSD, Knot and BIND, ask
    // for each query's destination and send the reply from it.
    wildcard_ = endpoint.address().is_unspecified();
    if (wildcard_) {
        if (endpoint.address().is_v4())
            ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
        else
            ::setsockopt(socket_.native_handle(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
    }
    socket_.bind(endpoint);
    socket_.non_blocking(true);
    for (std::size_t i = 0; i < batch; ++i) {
        in_iov_[i] = {in_.data() + i * max_query, max_query};
        out_iov_[i] = {out_.data() + i * dns::max_message_size, 0};
    }
}

void UdpListener::start() {
    socket_.async_wait(boost::asio::ip::udp::socket::wait_read,
                       [this](boost::system::error_code ec) {
                           if (ec) return; // closed
                           on_readable();
                           start();
                       });
}

void UdpListener::close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
}

void UdpListener::on_readable() {
    // A reload may change rate limiting: rare, and the copy of its settings
    // is made here, between batches, not per packet.
    if (holder_.refresh(snapshot_, generation_, &rrl_)) limiter_.reconfigure(*rrl_);
    const int fd = socket_.native_handle();
    for (;;) {
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
        const int received = ::recvmmsg(fd, in_msgs_.data(), batch, MSG_DONTWAIT, nullptr);
        if (received <= 0) {
            if (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                log::warning(std::string("udp receive: ") + std::strerror(errno));
            return;
        }
        std::size_t replies = 0;
        const auto now_seconds =
            static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::steady_clock::now().time_since_epoch())
                                           .count());
        for (int i = 0; i < received; ++i) {
            if (in_msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) continue;
            const auto* peer = reinterpret_cast<const sockaddr*>(&peers_[i]);
            engine::Request request{static_cast<const std::uint8_t*>(in_iov_[i].iov_base),
                                    in_msgs_[i].msg_len, engine::Protocol::udp,
                                    client_address(peer)};
            auto* out = out_.data() + replies * dns::max_message_size;
            engine::AnswerInfo info;
            const auto start = std::chrono::steady_clock::now();
            const std::size_t size =
                engine::answer_query(*snapshot_, request, out, dns::max_message_size, &info);
            counters_.count(
                engine::Protocol::udp, size, info,
                static_cast<std::uint64_t>((std::chrono::steady_clock::now() - start).count()));
            if (size == 0) continue;
            std::size_t send_size = size;
            if (info.transfer) {
                // Signed queries and IXFR over UDP: rare, and allowed to allocate (see xfr/).
                xfr::Outcome outcome = xfr::respond(*snapshot_, request, out, size);
                if (!outcome.log.empty()) log::info(outcome.log);
                counters_.count_transfer(outcome.kind);
                if (!outcome.messages.empty() &&
                    outcome.messages.front().size() <= dns::max_message_size) {
                    std::memcpy(out, outcome.messages.front().data(),
                                outcome.messages.front().size());
                    send_size = outcome.messages.front().size();
                }
            }
            switch (limiter_.check(request.client, now_seconds)) {
            case query::RateLimiter::Verdict::send:
                break;
            case query::RateLimiter::Verdict::drop:
                metrics::WorkerCounters::bump(counters_.rrl_dropped);
                continue;
            case query::RateLimiter::Verdict::truncate: {
                // Header, question and the OPT, TC set: a real client retries
                // over TCP, and still sees that we do EDNS (RFC 6891 7).
                metrics::WorkerCounters::bump(counters_.rrl_slipped);
                const std::size_t opt = info.transfer ? 0 : info.opt_size;
                std::memmove(out + info.question_end, out + size - opt, opt);
                out[2] |= dns::flag2::TC;
                std::memset(out + 6, 0, 6);
                out[11] = opt ? 1 : 0;
                send_size = info.question_end + opt;
                break;
            }
            }
            out_iov_[replies].iov_len = send_size;
            out_iov_[replies].iov_base = out;
            out_msgs_[replies].msg_hdr = {};
            out_msgs_[replies].msg_hdr.msg_name = &peers_[i];
            out_msgs_[replies].msg_hdr.msg_namelen = in_msgs_[i].msg_hdr.msg_namelen;
            out_msgs_[replies].msg_hdr.msg_iov = &out_iov_[replies];
            out_msgs_[replies].msg_hdr.msg_iovlen = 1;
            if (wildcard_) reply_from_query_destination(static_cast<std::size_t>(i), replies);
            ++replies;
        }
        for (std::size_t sent = 0; sent < replies;) {
            const int n = ::sendmmsg(fd, out_msgs_.data() + sent, replies - sent, MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EINTR) continue;
                // A full send buffer drops the rest of the batch, as the
                // network would; the clients retry.
                break;
            }
            sent += static_cast<std::size_t>(n);
        }
        if (static_cast<std::size_t>(received) < batch) return;
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
