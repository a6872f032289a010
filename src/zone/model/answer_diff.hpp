#pragma once
// What clients would get differently from one build of a zone to another
// (the same policy with other health states): per region, name and type,
// the records before and after. For `srvd check --down`, a failover drill:
// it compares load-time models, nothing is served or changed.
#include "zone/model/zone_view.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace srvd::zone {

struct AnswerChange {
    std::string region; // empty for a zone without regions
    std::string name;   // as text, absolute
    std::uint16_t type;
    std::vector<std::string> before, after; // RDATA as text, in answer order
};

// `before` and `after` must be builds of the same policy.
std::vector<AnswerChange> answer_changes(const ZoneData& before, const ZoneData& after);

} // namespace srvd::zone
