#pragma once
// The order of one tier's members for one of a fixed number of variants.
// Clients are spread over the variants by subnet, so each client sees a
// stable order while the first position, the one most SIP stacks use, is
// shared out in proportion to the weights (RFC 2782's intent).
#include <cstdint>
#include <vector>

namespace srvd::zone {

// Enough variants that 70/30 comes out as 69/31; few enough that a tier of
// three has all its orders represented without bloating the snapshot.
constexpr unsigned shuffle_variants = 16;

// Member indices in answer order for `variant` (0 ≤ variant < variants).
std::vector<std::uint16_t> weighted_order(const std::vector<std::uint16_t>& weights,
                                          unsigned variant, unsigned variants = shuffle_variants);

} // namespace srvd::zone
