#pragma once
// DNS over TCP (RFC 7766): two-byte length framing, several queries per
// connection answered in order, an idle timeout, and a cap on connections.
#include "config/server_config.hpp"
#include "metrics/counters.hpp"
#include "query/signing_budget.hpp"
#include "zone/snapshot/snapshot_holder.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace srvd::net {

class TcpSession;
class TcpListener;

// Shared by every worker's listeners: the connection cap is server-wide. A
// reload may change the cap and the timeout, hence atomics.
struct TcpLimits {
    std::atomic<std::uint32_t> open{0};
    std::atomic<std::uint32_t> max_clients{0};
    std::atomic<std::uint32_t> max_per_prefix{0};
    // Open connections per client prefix (/24, /56), of every worker. Taken
    // and given back at accept and close only, never per query.
    std::mutex prefix_mutex;
    std::unordered_map<std::uint64_t, std::uint32_t> per_prefix;
    // A connection from `prefix` if its prefix has room: counts it.
    bool take_prefix(std::uint64_t prefix);
    void give_prefix(std::uint64_t prefix);
    std::atomic<std::chrono::milliseconds> idle_timeout{std::chrono::milliseconds(0)};
    // Every listener of every worker, filled in before any starts: a listener
    // over the cap with no idle connection of its own asks another to close
    // one (the kernel spreads connections over the SO_REUSEPORT listeners,
    // so the idle ones may all sit elsewhere).
    std::vector<TcpListener*> listeners;
};

class TcpListener : public std::enable_shared_from_this<TcpListener> {
  public:
    // `transfers` runs what builds zone transfers (see TcpSession::answer_transfer).
    // `signing`: the shared quota of signatures made for queries, within
    // which each connection has a share of its own.
    TcpListener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                const zone::SnapshotHolder& holder, TcpLimits& limits,
                metrics::WorkerCounters& counters, boost::asio::any_io_executor transfers,
                std::shared_ptr<query::SigningQuota> signing);
    query::SigningQuota& signing_quota() { return *signing_; }
    void start();
    void close(); // stops accepting and closes every session
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    // Connections of this listener waiting on their client (between queries,
    // or in the middle of one): read from other workers' threads to find one
    // that can make room.
    std::atomic<std::uint32_t> idle_sessions{0};

    // Where this listener's sessions have the engine write an answer (2 bytes
    // for the length, then up to 65535): one per listener, not per
    // connection. Its sessions run on this listener's thread, one at a time.
    std::uint8_t* answer_buffer() { return answer_buffer_.data(); }

  private:
    void do_accept();
    void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
    // Closes the connection that has waited longest for its client's next
    // byte; false when every one is being answered.
    bool evict_slowest_idle();
    // Asks a listener of another worker that has an idle connection to close
    // its oldest; false when none has one.
    bool evict_elsewhere();

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    // After a failed accept (out of descriptors), a pause before the next:
    // the pending connection stays ready, so accepting again at once spins.
    boost::asio::steady_timer accept_pause_;
    const zone::SnapshotHolder& holder_;
    TcpLimits& limits_;
    metrics::WorkerCounters& counters_;
    boost::asio::any_io_executor transfers_;
    std::shared_ptr<query::SigningQuota> signing_;
    std::list<std::weak_ptr<TcpSession>> sessions_;
    std::vector<std::uint8_t> answer_buffer_;
};

} // namespace srvd::net
