#pragma once
// FNV-1a, 64 bits: the same value on every machine, build and run, which
// std::hash does not promise. For what is kept on disk (content digests) or
// must agree across a fleet (catalog member labels).
#include <cstdint>
#include <string_view>

namespace srvd {

inline std::uint64_t stable_hash(std::string_view bytes, std::uint64_t h = 1469598103934665603ull) {
    for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
    return h;
}

} // namespace srvd
