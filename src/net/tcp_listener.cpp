#include "net/tcp_listener.hpp"

#include "dns/wire.hpp"
#include "query/pipeline.hpp"
#include "util/accept_pause.hpp"
#include "util/client_address.hpp"
#include "util/log.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>

namespace srvd::net {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// A client's /24 (IPv4) or /56 (IPv6), the unit of limits.tcp_clients_per_prefix.
std::uint64_t prefix_key(const engine::ClientAddress& c) {
    std::uint64_t key = c.family;
    const int bytes = c.family == 4 ? 3 : 7;
    for (int i = 0; i < 7; ++i) key = (key << 8) | (i < bytes ? c.bytes[i] : 0);
    return key;
}

} // namespace

class TcpSession : public std::enable_shared_from_this<TcpSession> {
  public:
    // A query is a few dozen bytes; a bigger frame grows the buffer.
    static constexpr std::size_t initial_buffer = 512;

    TcpSession(tcp::socket socket, const zone::SnapshotHolder& holder, TcpLimits& limits,
               std::shared_ptr<TcpListener> listener, metrics::WorkerCounters& counters,
               asio::any_io_executor transfers, engine::ClientAddress client, std::uint64_t prefix)
        : socket_(std::move(socket)), timer_(socket_.get_executor()), holder_(holder),
          limits_(limits), listener_(std::move(listener)), counters_(counters),
          transfers_(std::move(transfers)), client_(client), prefix_(prefix),
          signing_(listener_->signing_quota(), true), in_(initial_buffer) {}
    ~TcpSession() {
        set_idle(false);
        limits_.open.fetch_sub(1);
        limits_.give_prefix(prefix_);
    }

    void start() { do_read_length(); }
    // Waiting on the client: between queries, or with a query half sent.
    // Only a whole query makes a connection busy: one that sends a byte and
    // stops must not hold its slot against clients that send theirs.
    bool idle() const { return idle_; }
    // When its client last sent anything (or it was accepted).
    std::chrono::steady_clock::time_point progress() const { return progress_; }

    void close() {
        boost::system::error_code ignored;
        set_idle(false); // closing: not a candidate for eviction any more
        timer_.cancel();
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

  private:
    // Keeps the listener's count of idle connections in step with idle_.
    void set_idle(bool idle) {
        if (idle == idle_) return;
        idle_ = idle;
        if (idle)
            listener_->idle_sessions.fetch_add(1, std::memory_order_relaxed);
        else
            listener_->idle_sessions.fetch_sub(1, std::memory_order_relaxed);
    }

    void arm_idle_timer() {
        timer_.expires_after(limits_.idle_timeout.load(std::memory_order_relaxed));
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (!ec) self->close(); // idle too long (RFC 7766 6.2.3)
        });
    }

    void do_read_length() {
        // The timer covers the whole next query: a client that sends half a
        // frame and stops is cut off like one that sends nothing.
        arm_idle_timer();
        set_idle(true);
        length_have_ = 0;
        read_length();
    }

    // The length is read a byte at a time if need be, so that one byte of it
    // already marks the connection busy (not idle, not to be evicted).
    void read_length() {
        socket_.async_read_some(
            asio::buffer(length_ + length_have_, 2 - length_have_),
            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                if (ec) return self->close();
                self->progress_ = std::chrono::steady_clock::now();
                self->length_have_ += n;
                if (self->length_have_ < 2) return self->read_length();
                self->on_length();
            });
    }

    void on_length() {
        frame_size_ = dns::get16(length_);
        if (frame_size_ == 0) return close();
        frame_have_ = 0;
        read_frame();
    }

    // The buffer grows with the bytes that actually arrive, a chunk ahead at
    // most: a client that announces 65535 bytes and sends one costs 4 KiB,
    // not 64. It keeps its size for the connection's next queries.
    void read_frame() {
        const std::size_t chunk = std::min<std::size_t>(frame_size_ - frame_have_, 4096);
        if (in_.size() < frame_have_ + chunk) in_.resize(frame_have_ + chunk);
        socket_.async_read_some(
            asio::buffer(in_.data() + frame_have_, chunk),
            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                if (ec) return self->close();
                self->progress_ = std::chrono::steady_clock::now();
                self->frame_have_ += n;
                if (self->frame_have_ < self->frame_size_) return self->read_frame();
                self->on_query({}, self->frame_size_);
            });
    }

    void on_query(boost::system::error_code ec, std::size_t size) {
        if (ec) return close();
        set_idle(false); // a whole query: being answered
        holder_.refresh(snapshot_, generation_);
        engine::Request request{in_.data(), size, engine::Protocol::tcp, client_};
        request.budget = &signing_;
        engine::AnswerInfo info;
        // Answered into the listener's buffer, big enough for any answer,
        // then copied into this session's, which grows only to the answers
        // this client gets (hundreds of bytes): 300 connections cost little.
        std::uint8_t* scratch = listener_->answer_buffer();
        const query::Result result = query::process(*snapshot_, request, nullptr, 0, scratch + 2,
                                                    dns::max_message_size, info, &counters_);
        if (result.action == query::Action::drop)
            return close(); // nothing to say to a stream that sent an answer
        if (result.action == query::Action::transfer) return answer_transfer(request, info, result);
        dns::put16(scratch, static_cast<std::uint16_t>(result.size));
        out_.assign(scratch, scratch + 2 + result.size);
        asio::async_write(socket_, asio::buffer(out_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->do_read_length();
                          });
    }

    // AXFR, IXFR and signed queries. Building a large zone's messages takes
    // long (0.4 s for 90,000 records), so it runs on the transfer thread, not
    // on this worker, whose other clients would wait; the write comes back
    // here. Every message goes out framed, in one buffer and one write. The
    // idle timer is off meanwhile: a big zone to a slow secondary may take
    // longer than a query may.
    void answer_transfer(const engine::Request& request, const engine::AnswerInfo& info,
                         const query::Result& result) {
        timer_.cancel();
        auto query =
            std::make_shared<std::vector<std::uint8_t>>(in_.begin(), in_.begin() + request.size);
        asio::post(transfers_, [self = shared_from_this(), snapshot = snapshot_, r = request, query,
                                info, result]() mutable {
            r.data = query->data();
            auto outcome = std::make_shared<xfr::Outcome>(query::transfer(*snapshot, r, info));
            asio::post(self->socket_.get_executor(), [self, outcome, info, result] {
                query::count_transfer(self->counters_, engine::Protocol::tcp, info, result,
                                      *outcome);
                self->write_transfer(*outcome);
            });
        });
    }

    void write_transfer(const xfr::Outcome& outcome) {
        if (!outcome.log.empty()) log::info(outcome.log);
        if (outcome.messages.empty()) return close();
        transfer_out_.clear();
        for (const auto& m : outcome.messages) {
            dns::append_uint(transfer_out_, m.size(), 2); // RFC 1035 4.2.2 framing
            transfer_out_ += m;
        }
        asio::async_write(socket_, asio::buffer(transfer_out_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              self->transfer_out_ = std::string();
                              if (ec) return self->close();
                              self->do_read_length();
                          });
    }

    tcp::socket socket_;
    asio::steady_timer timer_;
    const zone::SnapshotHolder& holder_;
    TcpLimits& limits_;
    std::shared_ptr<TcpListener> listener_; // counts this session while idle
    metrics::WorkerCounters& counters_;
    asio::any_io_executor transfers_;
    std::shared_ptr<const zone::Snapshot> snapshot_;
    std::uint64_t generation_ = 0;
    engine::ClientAddress client_;
    std::uint64_t prefix_;
    query::SigningBudget signing_; // this connection's share of the quota
    std::chrono::steady_clock::time_point progress_ = std::chrono::steady_clock::now();
    std::uint8_t length_[2];
    std::size_t length_have_ = 0;
    std::size_t frame_size_ = 0, frame_have_ = 0;
    bool idle_ = false;
    std::vector<std::uint8_t> in_, out_;
    std::string transfer_out_;
};

TcpListener::TcpListener(asio::io_context& io, const tcp::endpoint& endpoint,
                         const zone::SnapshotHolder& holder, TcpLimits& limits,
                         metrics::WorkerCounters& counters, asio::any_io_executor transfers,
                         std::shared_ptr<query::SigningQuota> signing)
    : io_(io), acceptor_(io), accept_pause_(io), holder_(holder), limits_(limits),
      counters_(counters), transfers_(std::move(transfers)), signing_(std::move(signing)),
      answer_buffer_(2 + dns::max_message_size) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    int one = 1;
    ::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
}

void TcpListener::start() {
    do_accept();
}

void TcpListener::do_accept() {
    acceptor_.async_accept(
        io_, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
            self->on_accept(ec, std::move(socket));
        });
}

void TcpListener::on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
        sessions_.remove_if([](const auto& w) { return w.expired(); });
        boost::system::error_code peer_error;
        const auto peer = socket.remote_endpoint(peer_error);
        const engine::ClientAddress client =
            peer_error ? engine::ClientAddress{} : client_address(peer.data());
        const std::uint64_t prefix = prefix_key(client);
        boost::system::error_code ignored;
        if (!limits_.take_prefix(prefix)) {
            socket.close(ignored); // this client's prefix holds its share already
        } else if (limits_.open.fetch_add(1) >=
                       limits_.max_clients.load(std::memory_order_relaxed) &&
                   !evict_slowest_idle() && !evict_elsewhere()) {
            limits_.open.fetch_sub(1);
            limits_.give_prefix(prefix);
            socket.close(ignored); // over the cap and every one busy: refuse rather than stall
        } else {
            auto session = std::make_shared<TcpSession>(std::move(socket), holder_, limits_,
                                                        shared_from_this(), counters_, transfers_,
                                                        client, prefix);
            sessions_.push_back(session);
            session->start();
        }
    } else {
        return accept_after_pause(accept_pause_, "tcp", ec,
                                  [self = shared_from_this()] { self->do_accept(); });
    }
    do_accept();
}

// Over the cap, the connection that has waited longest on its client makes
// room (RFC 7766 6.2.3: servers may close idle connections when under
// pressure): one that sent part of a query and stopped goes before one
// that sends its queries in time.
bool TcpListener::evict_slowest_idle() {
    std::shared_ptr<TcpSession> slowest;
    for (auto& w : sessions_)
        if (auto s = w.lock(); s && s->idle() && (!slowest || s->progress() < slowest->progress()))
            slowest = std::move(s);
    if (!slowest) return false;
    slowest->close();
    return true;
}

bool TcpLimits::take_prefix(std::uint64_t prefix) {
    std::lock_guard lock(prefix_mutex);
    std::uint32_t& n = per_prefix[prefix];
    if (n >= max_per_prefix.load(std::memory_order_relaxed)) {
        if (n == 0) per_prefix.erase(prefix);
        return false;
    }
    ++n;
    return true;
}

void TcpLimits::give_prefix(std::uint64_t prefix) {
    std::lock_guard lock(prefix_mutex);
    if (auto it = per_prefix.find(prefix); it != per_prefix.end() && --it->second == 0)
        per_prefix.erase(it);
}

// The new connection is accepted at once and the other worker closes its
// oldest idle connection when it next runs: for that moment the cap is
// exceeded by one, rather than a client refused while idle ones sit elsewhere.
bool TcpListener::evict_elsewhere() {
    for (TcpListener* other : limits_.listeners) {
        if (other == this || other->idle_sessions.load(std::memory_order_relaxed) == 0) continue;
        asio::post(other->io_, [other] { other->evict_slowest_idle(); });
        return true;
    }
    return false;
}

void TcpListener::close() {
    boost::system::error_code ignored;
    accept_pause_.cancel();
    acceptor_.close(ignored);
    for (auto& w : sessions_)
        if (auto s = w.lock()) s->close();
    sessions_.clear();
}

} // namespace srvd::net
