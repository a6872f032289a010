#pragma once
// One way of telling a resolver to drop names from its cache: Unbound's
// remote control, the PowerDNS Recursor's HTTP API, Knot Resolver's control
// socket, or a command. Each kind is one file behind this interface, chosen
// in make_channel (as the probes are in health/).
#include "config/resolver_config.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

namespace srvd::flush {

// An absolute name, and whether everything below it goes too (a zone with
// many changed names is flushed whole: one command instead of hundreds).
struct FlushItem {
    std::string name;
    bool subtree = false;
    bool operator==(const FlushItem&) const = default;
    auto operator<=>(const FlushItem&) const = default;
};

class Channel {
  public:
    virtual ~Channel() = default;
    // Flushes every item in one attempt: empty when the resolver confirmed
    // each, else why not. Runs on the io_context it was made with.
    virtual boost::asio::awaitable<std::string> flush(const std::vector<FlushItem>& items) = 0;
    // Ends the attempt under way (its timeout): its socket is closed, or its
    // process killed, so flush() returns at once with an error.
    virtual void abort() = 0;
};

std::unique_ptr<Channel> make_channel(boost::asio::io_context& io,
                                      const config::ResolverTarget& target);

// The kinds, one file each.
std::unique_ptr<Channel> unbound_channel(boost::asio::io_context& io,
                                         const config::ResolverTarget& target);
std::unique_ptr<Channel> pdns_recursor_channel(boost::asio::io_context& io,
                                               const config::ResolverTarget& target);
std::unique_ptr<Channel> knot_resolver_channel(boost::asio::io_context& io,
                                               const config::ResolverTarget& target);
std::unique_ptr<Channel> command_channel(boost::asio::io_context& io,
                                         const config::ResolverTarget& target);

} // namespace srvd::flush
