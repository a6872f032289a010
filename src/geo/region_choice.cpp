#include "geo/region_choice.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

namespace srvd::geo {
namespace {

// The seven continent codes GeoIP2 uses. As match entries they mean the
// continent, never the country that shares the code (NA, AS, SA).
bool is_continent(const std::string& code) {
    for (const char* c : {"AF", "AN", "AS", "EU", "NA", "OC", "SA"})
        if (code == c) return true;
    return false;
}

bool matches(const std::string& entry, const Location& at) {
    const auto dash = entry.find('-');
    if (dash != std::string::npos)
        return !at.country.empty() && entry.compare(0, dash, at.country) == 0 &&
               !at.subdivision.empty() &&
               entry.compare(dash + 1, std::string::npos, at.subdivision) == 0;
    if (is_continent(entry)) return entry == at.continent;
    return entry == at.country;
}

std::string describe(const Location& at) {
    std::string s = "continent=" + (at.continent.empty() ? "?" : at.continent) +
                    " country=" + (at.country.empty() ? "?" : at.country) +
                    " subdivision=" + (at.subdivision.empty() ? "?" : at.subdivision);
    if (at.point) {
        char buf[64];
        std::snprintf(buf, sizeof buf, " location=[%.4f, %.4f]", at.point->latitude,
                      at.point->longitude);
        s += buf;
    }
    return s;
}

} // namespace

double distance_km(const config::GeoPoint& a, const config::GeoPoint& b) {
    constexpr double radius = 6371.0088, to_rad = M_PI / 180.0;
    const double dlat = (b.latitude - a.latitude) * to_rad,
                 dlon = (b.longitude - a.longitude) * to_rad;
    const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                     std::cos(a.latitude * to_rad) * std::cos(b.latitude * to_rad) *
                         std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * radius * std::asin(std::min(1.0, std::sqrt(h)));
}

std::size_t choose_region(const config::ZonePolicy& zone, const Location& at, std::string* why) {
    for (std::size_t i = 0; i < zone.regions.size(); ++i)
        for (const auto& entry : zone.regions[i].match)
            if (matches(entry, at)) {
                if (why)
                    *why = describe(at) + ": region " + zone.regions[i].name + " matches " + entry;
                return i;
            }
    if (at.point) {
        std::size_t best = zone.regions.size();
        double best_km = std::numeric_limits<double>::infinity();
        std::string distances;
        for (std::size_t i = 0; i < zone.regions.size(); ++i) {
            if (!zone.regions[i].location) continue;
            const double km = distance_km(*at.point, *zone.regions[i].location);
            if (why)
                distances +=
                    " " + zone.regions[i].name + "=" + std::to_string(static_cast<long>(km)) + "km";
            if (km < best_km) {
                best_km = km;
                best = i;
            }
        }
        if (best < zone.regions.size()) {
            if (why)
                *why = describe(at) + ": no match list fits; nearest region " +
                       zone.regions[best].name + " (distances:" + distances + ")";
            return best;
        }
    }
    if (why)
        *why = describe(at) +
               ": no match list fits and no coordinates to compare; default region " +
               zone.regions[zone.default_region].name;
    return zone.default_region;
}

} // namespace srvd::geo
