#pragma once
// `explain`: which region a client falls in and why (the GeoIP fields read,
// the rule that matched, whether an ECS option decided), and the answer the
// engine gives it. `srvd explain` runs it on a freshly loaded snapshot,
// `srvd ctl explain` on the running server's (live health and drains).
#include "dns/query_builder.hpp"
#include "engine/query_parser.hpp"
#include "zone/snapshot/snapshot.hpp"

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
    bool type_assumed = false; // no TYPE given: A
    std::vector<std::uint8_t> wire;
    engine::ParsedQuery parsed;
};

// explain's own arguments, as `srvd explain` (after -c FILE) and `srvd ctl
// explain` both take them: the one parser of them.
inline constexpr const char* usage = "--client IP [--ecs PREFIX] NAME [TYPE]";
// nullopt with `error` set (what is wrong, or "expected " + usage) when the
// words are not that. No TYPE: A, and the explanation says it assumed it.
std::optional<Query> parse_words(const std::vector<std::string>& words, std::string& error);

// Writes the explanation; `live`: `s` is what the running server serves.
void write(std::ostream& out, const zone::Snapshot& s, const Query& q, bool live);

} // namespace srvd::explain
