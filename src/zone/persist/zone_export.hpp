#pragma once
#include "zone/model/zone_view.hpp"

#include <ostream>

namespace srvd::zone {

// Writes one view as an RFC 1035 master file (SOA first, then canonical
// order) that nsd-checkzone and named-checkzone accept.
void export_zone(const ZoneData& zone, std::size_t view, std::ostream& out);

} // namespace srvd::zone
