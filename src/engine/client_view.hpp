#pragma once
// Which precompiled answer a client gets: its region (from the compiled
// GeoIP table), its variant of the tier shuffle (from its subnet), and the
// ECS scope over which that choice holds (RFC 7871 7.2.1).
#include "engine/answer_engine.hpp"
#include "engine/query_parser.hpp"

namespace srvd::engine {

struct ClientView {
    std::uint16_t region;
    std::uint16_t variant;
    std::uint8_t scope; // for the ECS echo
    bool used_ecs;      // the ECS address decided (else the source address)
};

// The tier shuffle is stable per /24 (IPv4) or /56 (IPv6): one customer
// site, as resolvers commonly send it in ECS.
constexpr std::uint8_t variant_prefix_v4 = 24;
constexpr std::uint8_t variant_prefix_v6 = 56;

// Whether the query's ECS option decides the client's view and, when it
// does not, why: the engine's rule, which `explain` prints as it is.
enum class EcsUse : std::uint8_t {
    absent,      // no ECS option: the source address decides
    no_geoip,    // no geoip configured: ignored
    disabled,    // geoip.ecs is off: ignored
    source_zero, // SOURCE PREFIX-LENGTH 0: the source address decides
    unroutable,  // private or unroutable (geoip.ecs_private: use changes that)
    used,
};
EcsUse ecs_use(const zone::AnswerTable& s, const ParsedQuery& q) noexcept;

ClientView choose_view(const zone::AnswerTable& s, std::uint32_t zone, const zone::TypeEntry& entry,
                       const ParsedQuery& q, const ClientAddress& client) noexcept;

// Private, loopback, link-local, unspecified, multicast and reserved space:
// an ECS address there says nothing about where the client is. (The
// documentation ranges count as public, so demos and tests can use them.)
bool is_unroutable(std::uint8_t family, const std::uint8_t* address) noexcept;

} // namespace srvd::engine
