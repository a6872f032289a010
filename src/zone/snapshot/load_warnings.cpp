#include "zone/snapshot/load_warnings.hpp"

#include <sys/stat.h>

namespace srvd::zone {
namespace {

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// A relative owner that already spells the zone name ("www.voice.acme.test"
// without a final dot in voice.acme.test) gets the zone appended a second time.
void relative_owners(const config::ZonePolicy& p, std::vector<std::string>& out) {
    const std::string zone = lower(p.zone.substr(0, p.zone.size() - 1)); // without the root dot
    for (const auto& r : p.records) {
        if (r.text.empty() || r.text[0] == ' ' || r.text[0] == '\t') continue; // previous owner
        const std::string owner = r.text.substr(0, r.text.find_first_of(" \t"));
        const std::string name = lower(owner);
        if (name.empty() || name.back() == '.' || name == "@") continue;
        if (name == zone || (name.size() > zone.size() &&
                             name.compare(name.size() - zone.size(), zone.size(), zone) == 0 &&
                             name[name.size() - zone.size() - 1] == '.'))
            out.push_back(r.mark.file + ":" + std::to_string(r.mark.line) + ":" +
                          std::to_string(r.mark.column) + ": owner '" + owner +
                          "' has no final dot, so it means " + owner + "." + p.zone +
                          "; write it relative ('" +
                          (name == zone ? std::string("@")
                                        : owner.substr(0, owner.size() - zone.size() - 1)) +
                          "') or absolute ('" + owner + ".')");
    }
}

bool world_readable(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH);
}

// A GeoIP proxy whose targets leave a region out: that region's clients get
// the default region's ordering, which the operator may not have meant.
void warn_regions_left_out(const config::ZonePolicy& p, std::vector<std::string>& out) {
    std::size_t proxies = 0;
    for (const auto& proxy : p.proxies) {
        const std::string missing = config::regions_left_out(p, proxy);
        if (missing.empty() || ++proxies > 5) continue; // a few named, then a count
        out.push_back(p.file + ": zone " + p.zone + " proxy " + proxy.label +
                      " has no ordering for region(s) " + missing +
                      ": their clients get the default region " + p.regions[p.default_region].name +
                      "'s");
    }
    if (proxies > 5)
        out.push_back(p.file + ": zone " + p.zone + ": and " + std::to_string(proxies - 5) +
                      " more proxies leave regions out (srvd explain shows one)");
}

// A TSIG secret that every local user can read lets any of them transfer
// the zones or forge what a secondary believes.
void readable_secrets(const config::ServerConfig& c, std::vector<std::string>& out) {
    for (const auto& key : c.transfer.keys) {
        const std::string& file = key.secret_file.empty() ? c.file : key.secret_file;
        if (world_readable(file))
            out.push_back(file + ": holds the secret of TSIG key " + key.name +
                          " and every user may read it: " +
                          (key.secret_file.empty()
                               ? "move it to a `secret_file:` readable by srvd's user only"
                               : "chmod 0600 it, owned by srvd's user"));
    }
}

} // namespace

std::vector<std::string> load_warnings(const Loaded& loaded) {
    std::vector<std::string> out = loaded.warnings;
    const config::ServerConfig& c = loaded.config;
    const Snapshot& s = *loaded.snapshot;
    readable_secrets(c, out);
    if (s.zones.empty())
        out.push_back(c.file + ": no zones: every query will be answered REFUSED (`zones:` "
                               "lists none, or only empty directories)");
    for (const auto& z : s.zones) {
        const config::ZonePolicy& p = z.data->policy;
        if (!p.regions.empty() && !c.geoip)
            out.push_back(p.file + ": zone " + p.zone + " has regions but " + c.file +
                          " has no `geoip:` database: every client gets the default region '" +
                          p.regions[p.default_region].name + "'");
        if (p.soa.serial_auto && !c.transfer.state_dir_given)
            out.push_back(p.file + ": zone " + p.zone + " has `serial: auto` but " + c.file +
                          " sets no `state_dir:`: its serials are kept in " + c.transfer.state_dir);
        relative_owners(p, out);
        warn_regions_left_out(p, out);
        if (p.health && p.health->converge_within_ms &&
            config::dns_convergence_ms(p) > p.health->converge_within_ms)
            out.push_back(p.file + ": zone " + p.zone + ": worst-case DNS convergence " +
                          std::to_string(config::dns_convergence_ms(p)) +
                          " ms (interval x down_after + timeout + the proxies' largest TTL) "
                          "exceeds health.converge_within " +
                          std::to_string(p.health->converge_within_ms) +
                          " ms: lower answer_ttl (or a proxy's ttl), interval or down_after");
    }
    return out;
}

} // namespace srvd::zone
