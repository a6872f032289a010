#pragma once
// NOTIFY (RFC 1996): tells the configured secondaries that a zone's serial
// changed, over UDP, signed when the target has a key, retried with a
// doubling timeout until acknowledged. Runs on the control loop, not on the
// workers.
#include "config/transfer_config.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace srvd::server {

class NotifyAttempt;

class NotifySender {
  public:
    explicit NotifySender(boost::asio::io_context& io) : io_(io) {}
    // Notifies every target in `config` that `zone` now has `serial`.
    void notify(const config::TransferConfig& config, const std::string& zone,
                std::uint32_t serial);
    // Abandons every NOTIFY still retrying, so that stopping srvd does not
    // wait out their timeouts.
    void stop();

  private:
    boost::asio::io_context& io_;
    std::vector<std::weak_ptr<NotifyAttempt>> pending_;
};

} // namespace srvd::server
