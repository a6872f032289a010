#pragma once
// Which region of a zone a location falls in (DESIGN §3): the first region
// whose match list fits; else the nearest by great-circle distance; else the
// default region.
#include "geo/location.hpp"

#include <string>

namespace srvd::geo {

// `why`, when given, receives a one-line explanation for `srvd explain`.
std::size_t choose_region(const config::ZonePolicy& zone, const Location& where,
                          std::string* why = nullptr);

// Great-circle distance in kilometres (haversine, mean Earth radius).
double distance_km(const config::GeoPoint& a, const config::GeoPoint& b);

} // namespace srvd::geo
