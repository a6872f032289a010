#include "zone/persist/catalog.hpp"

#include "util/stable_hash.hpp"

#include <cstdio>

namespace srvd::zone {
namespace {

// RFC 9432 4.1: a member's label only has to be unique and stable; a hash of
// the zone's name is both, on every srvd of a fleet.
std::string member_label(const std::string& zone) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(stable_hash(zone)));
    return text;
}

} // namespace

config::ZonePolicy catalog_policy(const std::string& name,
                                  const std::vector<std::string>& members) {
    config::ZonePolicy p;
    const config::SourceMark mark{"catalog " + name, 0, 0};
    p.file = mark.file;
    p.zone_mark = mark;
    p.zone = name;
    p.ttl = 0;
    // RFC 9432 4.1: the apex NS is "invalid."; the catalog is data, not a service.
    p.soa = {"invalid.", "invalid.", 0, 3600, 600, 1209600, 0, true};
    p.nameservers.push_back({"invalid.", {}, mark});
    p.records.push_back({"version 0 IN TXT \"2\"", mark});
    for (const auto& zone : members)
        p.records.push_back({member_label(zone) + ".zones 0 IN PTR " + zone, mark});
    return p;
}

} // namespace srvd::zone
