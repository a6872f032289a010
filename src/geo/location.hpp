#pragma once
#include "config/zone_policy.hpp"

#include <optional>
#include <string>

namespace srvd::geo {

// What a GeoIP database says about an address, as far as region choice cares.
// Codes are upper-cased; empty when the database has no such field.
struct Location {
    std::string continent;
    std::string country;
    std::string subdivision;
    std::optional<config::GeoPoint> point;

    bool operator==(const Location& o) const {
        return continent == o.continent && country == o.country && subdivision == o.subdivision &&
               point.has_value() == o.point.has_value() &&
               (!point ||
                (point->latitude == o.point->latitude && point->longitude == o.point->longitude));
    }
};

} // namespace srvd::geo
