#include "engine/client_view.hpp"

#include <algorithm>

namespace srvd::engine {
namespace {

using geo::u128;

std::uint32_t key4(const std::uint8_t* a) {
    return (std::uint32_t{a[0]} << 24) | (std::uint32_t{a[1]} << 16) | (std::uint32_t{a[2]} << 8) |
           a[3];
}

u128 key6(const std::uint8_t* a) {
    u128 k = 0;
    for (int i = 0; i < 16; ++i) k = (k << 8) | a[i];
    return k;
}

bool v4_mapped(const std::uint8_t* a) {
    static constexpr std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::equal(prefix, prefix + 12, a);
}

// FNV-1a over the masked subnet: cheap, and spreads neighbouring subnets.
std::uint32_t hash_subnet(const std::uint8_t* a, std::size_t bytes, std::uint8_t prefix) {
    std::uint32_t h = 2166136261u ^ prefix;
    for (std::size_t i = 0; i < bytes; ++i) {
        const int bits = std::clamp(static_cast<int>(prefix) - static_cast<int>(8 * i), 0, 8);
        const std::uint8_t masked = static_cast<std::uint8_t>(a[i] & (0xff00u >> bits));
        h = (h ^ masked) * 16777619u;
    }
    return h;
}

} // namespace

bool is_unroutable(std::uint8_t family, const std::uint8_t* a) noexcept {
    if (family == 4) {
        const std::uint32_t k = key4(a);
        auto in = [k](std::uint32_t net, int len) {
            return (k >> (32 - len)) == (net >> (32 - len));
        };
        return in(0x00000000, 8) || in(0x0a000000, 8) || in(0x64400000, 10) || in(0x7f000000, 8) ||
               in(0xa9fe0000, 16) || in(0xac100000, 12) || in(0xc0a80000, 16) ||
               in(0xc6120000, 15) || in(0xe0000000, 3); // multicast and 240/4
    }
    if (v4_mapped(a)) return is_unroutable(4, a + 12);
    const u128 k = key6(a);
    auto in = [k](u128 net, int len) { return (k >> (128 - len)) == (net >> (128 - len)); };
    return k <= 1 /* :: and ::1 */ || in(u128{0xfc} << 120, 7) || in(u128{0xfe80} << 112, 10) ||
           in(u128{0xff} << 120, 8);
}

EcsUse ecs_use(const zone::AnswerTable& s, const ParsedQuery& q) noexcept {
    if (!q.ecs) return EcsUse::absent;
    if (!s.ecs.geoip) return EcsUse::no_geoip;
    if (!s.ecs.enabled) return EcsUse::disabled;
    if (q.ecs_source == 0) return EcsUse::source_zero;
    if (!s.ecs.private_use && is_unroutable(q.ecs_family == 1 ? 4 : 6, q.ecs_address))
        return EcsUse::unroutable;
    return EcsUse::used;
}

ClientView choose_view(const zone::AnswerTable& s, std::uint32_t zone, const zone::TypeEntry& entry,
                       const ParsedQuery& q, const ClientAddress& client) noexcept {
    const zone::ZoneArrays& arrays = s.arrays[zone];
    ClientView view{arrays.default_view, 0, 0, false};
    std::uint8_t family = 0, prefix = 0;
    const std::uint8_t* address = nullptr;
    if (ecs_use(s, q) == EcsUse::used) {
        family = q.ecs_family == 1 ? 4 : 6;
        address = q.ecs_address;
        prefix = q.ecs_source;
        view.used_ecs = true;
    } else if (client.family == 6 && v4_mapped(client.bytes)) {
        family = 4;
        address = client.bytes + 12;
        prefix = 32;
    } else if (client.family != 0) {
        family = client.family;
        address = client.bytes;
        prefix = family == 4 ? 32 : 128;
    }
    if (!address) return view;

    if (entry.regions > 1 && arrays.geo) {
        const geo::ZoneGeo& tables = *arrays.geo;
        const auto hit =
            family == 4 ? tables.v4.lookup(key4(address)) : tables.v6.lookup(key6(address));
        view.region = hit.value;
        view.scope = hit.scope;
    }
    if (entry.variants > 1) {
        const std::uint8_t vp =
            std::min(prefix, family == 4 ? variant_prefix_v4 : variant_prefix_v6);
        view.variant = static_cast<std::uint16_t>(hash_subnet(address, family == 4 ? 4 : 16, vp) %
                                                  entry.variants);
        const std::uint32_t bit = view.region < 31 ? 1u << view.region : 0x80000000u;
        if (entry.regions == 1 ? entry.varying_regions != 0 : (entry.varying_regions & bit) != 0)
            view.scope = std::max(view.scope, vp);
    }
    if (!view.used_ecs) view.scope = 0;
    return view;
}

} // namespace srvd::engine
