#include "server/notify_sender.hpp"

#include "dns/ldns_owned.hpp"
#include "util/host_port.hpp"
#include "util/log.hpp"
#include "xfr/tsig.hpp"

#include <ctime>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <memory>
#include <random>

namespace srvd::server {
namespace asio = boost::asio;
// One NOTIFY to one secondary, alive until acknowledged or out of attempts.
class NotifyAttempt : public std::enable_shared_from_this<NotifyAttempt> {
  public:
    NotifyAttempt(asio::io_context& io, const config::NotifyTarget& target,
                  const config::TsigKey* key, std::string zone, std::uint32_t serial,
                  std::uint32_t attempts, std::chrono::milliseconds timeout)
        : socket_(io, target.endpoint.protocol()), timer_(io), target_(target.endpoint),
          zone_(std::move(zone)), serial_(serial), attempts_(attempts + 1), timeout_(timeout) {
        static thread_local std::mt19937 random{std::random_device{}()};
        id_ = static_cast<std::uint16_t>(random());
        message_ = build(key);
    }

    void cancel() {
        boost::system::error_code ignored;
        timer_.cancel();
        socket_.close(ignored);
    }

    void start() {
        if (message_.empty()) {
            log::error("notify " + what() + ": cannot build the message");
            return;
        }
        send();
        receive();
    }

  private:
    std::string what() const {
        return zone_ + " serial " + std::to_string(serial_) + " to " +
               host_port(target_.address(), target_.port());
    }

    // NOTIFY for the zone's SOA (RFC 1996 3.3), signed when the target has a key.
    std::string build(const config::TsigKey* key) const {
        const dns::PktPtr owned(ldns_pkt_new());
        ldns_pkt* p = owned.get();
        ldns_pkt_set_id(p, id_);
        ldns_pkt_set_opcode(p, LDNS_PACKET_NOTIFY);
        ldns_pkt_set_aa(p, true);
        ldns_rr* q = ldns_rr_new();
        ldns_rr_set_owner(q, ldns_dname_new_frm_str(zone_.c_str()));
        ldns_rr_set_type(q, LDNS_RR_TYPE_SOA);
        ldns_rr_set_class(q, LDNS_RR_CLASS_IN);
        ldns_rr_set_question(q, true);
        ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, q);
        std::string out = dns::packet_wire(p);
        // No request to chain to: a NOTIFY is a request of its own.
        if (key && !out.empty()) out = xfr::TsigSigner(*key).sign(out, std::time(nullptr));
        return out;
    }

    void send() {
        ++attempt_;
        socket_.async_send_to(
            asio::buffer(message_), target_,
            [self = shared_from_this()](boost::system::error_code, std::size_t) {});
        timer_.expires_after(timeout_);
        timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec) return;
            if (self->attempt_ == self->attempts_) {
                log::warning("notify " + self->what() + ": no answer after " +
                             std::to_string(self->attempt_) + " attempts, giving up");
                boost::system::error_code ignored;
                self->socket_.close(ignored);
                return;
            }
            self->timeout_ *= 2;
            self->send();
        });
    }

    void receive() {
        socket_.async_receive_from(
            asio::buffer(reply_), from_,
            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                // Closed (given up, or stopping): done. Any other error, such
                // as the ICMP "port unreachable" of a secondary not started
                // yet, must not stop us hearing the answer to a retry.
                if (ec == asio::error::operation_aborted || !self->socket_.is_open()) return;
                if (ec) return self->receive();
                const auto& r = self->reply_;
                // The answer: our ID, QR set, opcode NOTIFY, from the target.
                if (n < 12 || self->from_ != self->target_ || (r[0] << 8 | r[1]) != self->id_ ||
                    !(r[2] & 0x80) || ((r[2] >> 3) & 0xf) != LDNS_PACKET_NOTIFY)
                    return self->receive();
                self->timer_.cancel();
                const int rcode = r[3] & 0xf;
                if (rcode == 0)
                    log::info("notify " + self->what() + ": acknowledged (attempt " +
                              std::to_string(self->attempt_) + ")");
                else
                    log::warning("notify " + self->what() + ": answered with " +
                                 ldns_pkt_rcode2str_or(rcode));
            });
    }

    static std::string ldns_pkt_rcode2str_or(int rcode) {
        const ldns_lookup_table* t = ldns_lookup_by_id(ldns_rcodes, rcode);
        return t ? t->name : "rcode " + std::to_string(rcode);
    }

    asio::ip::udp::socket socket_;
    asio::steady_timer timer_;
    asio::ip::udp::endpoint target_, from_;
    std::string zone_;
    std::uint32_t serial_;
    std::uint32_t attempts_, attempt_ = 0; // attempts in all; made so far
    std::chrono::milliseconds timeout_;
    std::uint16_t id_;
    std::string message_;
    std::array<std::uint8_t, 4096> reply_{};
};

void NotifySender::notify(const config::TransferConfig& config, const std::string& zone,
                          std::uint32_t serial) {
    for (const auto& target : config.notify) {
        try {
            auto attempt = std::make_shared<NotifyAttempt>(io_, target, config.find_key(target.key),
                                                           zone, serial, config.notify_retries,
                                                           config.notify_timeout);
            attempt->start();
            std::erase_if(pending_, [](const auto& w) { return w.expired(); });
            pending_.push_back(attempt);
        } catch (const boost::system::system_error& e) {
            log::error("notify " + zone + " to " +
                       host_port(target.endpoint.address(), target.endpoint.port()) + ": " +
                       e.what());
        }
    }
}

void NotifySender::stop() {
    for (auto& w : pending_)
        if (auto attempt = w.lock()) attempt->cancel();
    pending_.clear();
}

} // namespace srvd::server
