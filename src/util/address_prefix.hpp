#pragma once
// An address prefix as written in configuration and on command lines.
#include "util/client_address.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace srvd {

struct AddressPrefix {
    std::uint8_t family; // 4 or 6
    std::uint8_t bytes[16];
    std::uint8_t length;
    bool operator==(const AddressPrefix&) const = default;
};

// "10.0.0.0/8", "2001:db8::/32" or a bare address (a full-length prefix);
// nullopt when malformed. Bits past the prefix are kept as written.
std::optional<AddressPrefix> parse_prefix(const std::string& text);

// Whether `a` lies inside `p` (same family, the first p.length bits equal).
bool in_prefix(const ClientAddress& a, const AddressPrefix& p) noexcept;

} // namespace srvd
