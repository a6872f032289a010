#pragma once
// One UDP socket of one worker, served by a thread of its own that blocks in
// recvmmsg and answers each batch with one sendmmsg: two system calls per
// batch, as the bench's echo server makes. Waiting through the worker's
// io_context (epoll_wait, then Asio's epoll_ctl re-arm of every wait) cost
// two more per wakeup, and at loads below saturation batches are a few
// datagrams, so those calls were a large part of each answer's CPU.
#include "metrics/counters.hpp"
#include "query/rate_limiter.hpp"
#include "query/signing_budget.hpp"
#include "zone/snapshot/snapshot_holder.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <vector>

namespace srvd::net {

class UdpListener {
  public:
    // Rate limiting follows the holder (start-up and reloads alike) and
    // counts in `rrl`, shared by every listener of the server.
    // Signatures made for queries count in `signing`, shared likewise.
    UdpListener(boost::asio::io_context& io, const boost::asio::ip::udp::endpoint& endpoint,
                const zone::SnapshotHolder& holder, metrics::WorkerCounters& counters,
                std::shared_ptr<query::RrlTable> rrl, std::shared_ptr<query::SigningQuota> signing);
    ~UdpListener();
    UdpListener(const UdpListener&) = delete;
    UdpListener& operator=(const UdpListener&) = delete;
    // Answers until close(), in the calling thread.
    void run();
    // From any thread; run() returns within a batch.
    void close();
    // The port bound (what port 0 became).
    std::uint16_t port() const;

  private:
    // 64 datagrams per system call: large enough that the call overhead
    // vanishes at saturation, small enough that a batch stays in L2 cache.
    static constexpr std::size_t batch = 64;
    // A query larger than this is not a query (EDNS queries are a few hundred
    // bytes); the kernel truncates it and we drop it.
    static constexpr std::size_t max_query = 4096;
    static constexpr int receive_buffer = 4 << 20;
    // Answers are up to udp_payload bytes; a full batch must never block.
    static constexpr int send_buffer = 4 << 20;

    // Room for one IP_PKTINFO or IPV6_PKTINFO control message.
    union Control {
        cmsghdr align;
        std::uint8_t bytes[CMSG_SPACE(sizeof(in6_pktinfo))];
    };

    // recvmmsg into the input slots: the number received, or <= 0.
    int receive_batch();
    // Answers `received` queries into the output slots; returns how many replies.
    std::size_t answer_batch(std::size_t received);
    void queue_reply(std::size_t query, std::size_t reply, std::uint8_t* data, std::size_t size);
    void send_batch(std::size_t replies);
    // Sets a reply's source address to the destination address of its query.
    void reply_from_query_destination(std::size_t query, std::size_t reply);

    int fd_ = -1;
    const zone::SnapshotHolder& holder_;
    metrics::WorkerCounters& counters_;
    query::RateLimiter limiter_;
    std::shared_ptr<query::SigningQuota> quota_;
    query::SigningBudget signing_; // the shared quota only: UDP sources can be spoofed
    std::shared_ptr<const zone::Snapshot> snapshot_;
    std::shared_ptr<const config::RrlConfig> rrl_;
    std::uint64_t generation_ = 0;
    std::vector<std::uint8_t> in_, out_;
    std::array<mmsghdr, batch> in_msgs_{}, out_msgs_{};
    std::array<iovec, batch> in_iov_{}, out_iov_{};
    std::array<sockaddr_storage, batch> peers_{};
    // Only a wildcard socket (0.0.0.0, [::]) can receive on several
    // addresses, so only it asks the kernel where each query arrived.
    bool wildcard_ = false;
    std::atomic<bool> closed_{false};
    std::array<Control, batch> in_control_{}, out_control_{};
};

} // namespace srvd::net
