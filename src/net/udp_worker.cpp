#include "net/udp_worker.hpp"

#include "dns/wire.hpp"
#include "net/endpoint.hpp"
#include "util/log.hpp"
#include "xfr/responder.hpp"

#include <boost/asio/socket_base.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace srvd::net {

UdpListener::UdpListener(boost::asio::io_context& io,
                         const boost::asio::ip::udp::endpoint& endpoint,
                         const SnapshotHolder& holder, metrics::WorkerCounters& counters,
                         const RrlConfig& rrl)
    : socket_(io), holder_(holder), counters_(counters), limiter_(rrl), in_(batch * max_query),
      out_(batch * dns::max_message_size) {
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
    holder_.refresh(snapshot_, generation_);
    const int fd = socket_.native_handle();
    for (;;) {
        for (std::size_t i = 0; i < batch; ++i) {
            in_msgs_[i].msg_hdr = {};
            in_msgs_[i].msg_hdr.msg_name = &peers_[i];
            in_msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            in_msgs_[i].msg_hdr.msg_iov = &in_iov_[i];
            in_msgs_[i].msg_hdr.msg_iovlen = 1;
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
            case RateLimiter::Verdict::send:
                break;
            case RateLimiter::Verdict::drop:
                metrics::WorkerCounters::bump(counters_.rrl_dropped);
                continue;
            case RateLimiter::Verdict::truncate:
                // Header and question only, TC set: a real client retries over TCP.
                metrics::WorkerCounters::bump(counters_.rrl_slipped);
                out[2] |= dns::flag2::TC;
                std::memset(out + 6, 0, 6);
                send_size = info.question_end;
                break;
            }
            out_iov_[replies].iov_len = send_size;
            out_iov_[replies].iov_base = out;
            out_msgs_[replies].msg_hdr = {};
            out_msgs_[replies].msg_hdr.msg_name = &peers_[i];
            out_msgs_[replies].msg_hdr.msg_namelen = in_msgs_[i].msg_hdr.msg_namelen;
            out_msgs_[replies].msg_hdr.msg_iov = &out_iov_[replies];
            out_msgs_[replies].msg_hdr.msg_iovlen = 1;
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

} // namespace srvd::net
