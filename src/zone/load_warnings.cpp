#include "zone/load_warnings.hpp"

namespace srvd::zone {

std::vector<std::string> load_warnings(const Loaded& loaded) {
    std::vector<std::string> out;
    const ServerConfig& c = loaded.config;
    const Snapshot& s = *loaded.snapshot;
    if (s.zones.empty())
        out.push_back(c.file + ": no zones: every query will be answered REFUSED (`zones:` "
                               "lists none, or only empty directories)");
    for (const auto& z : s.zones) {
        const ZonePolicy& p = z.data->policy;
        if (!p.regions.empty() && !c.geoip)
            out.push_back(p.file + ": zone " + p.zone + " has regions but " + c.file +
                          " has no `geoip:` database: every client gets the default region '" +
                          p.regions[p.default_region].name + "'");
        if (p.soa.serial_auto && !c.transfer.state_dir_given)
            out.push_back(p.file + ": zone " + p.zone + " has `serial: auto` but " + c.file +
                          " sets no `state_dir:`: its serials are kept in " + c.transfer.state_dir);
    }
    return out;
}

} // namespace srvd::zone
