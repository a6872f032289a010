#pragma once
// `explain`: which region a client falls in and why (the GeoIP fields read,
// the rule that matched, whether an ECS option decided), and the answer the
// engine gives it. `srvd explain` runs it on a freshly loaded snapshot,
// `srvd ctl explain` on the running server's (live health and drains).
#include "dns/query_builder.hpp"
#include "engine/query_parser.hpp"
#include "zone/snapshot.hpp"

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace srvd::explain {

// What was asked: the client, the name and type, the query as a resolver
// would send it (ECS included) and the engine's reading of it.
struct Query {
    boost::asio::ip::address client;
    std::optional<dns::ClientSubnet> ecs;
    std::string name;
    std::vector<std::uint8_t> wire;
    engine::ParsedQuery parsed;
};

// `type` empty: A. nullopt with `error` set when an argument is wrong.
std::optional<Query> make_query(const std::string& client, const std::optional<std::string>& ecs,
                                const std::string& name, const std::string& type,
                                std::string& error);

// Writes the explanation; `live`: `s` is what the running server serves.
void write(std::ostream& out, const zone::Snapshot& s, const Query& q, bool live);

} // namespace srvd::explain
