#include "flush/channel.hpp"

namespace srvd::flush {

std::unique_ptr<Channel> make_channel(boost::asio::io_context& io,
                                      const config::ResolverTarget& target) {
    switch (target.type) {
    case config::ResolverType::unbound:
        return unbound_channel(io, target);
    case config::ResolverType::pdns_recursor:
        return pdns_recursor_channel(io, target);
    case config::ResolverType::knot_resolver:
        return knot_resolver_channel(io, target);
    case config::ResolverType::command:
        return command_channel(io, target);
    }
    return nullptr;
}

} // namespace srvd::flush
