#include "zone/persist/serial_store.hpp"

#include "config/load_error.hpp"
#include "util/state_file.hpp"
#include "zone/persist/zone_version.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace srvd::zone {

SerialStore::SerialStore(std::string path) : path_(std::move(path)) {
    std::ifstream in(path_);
    if (!in) return; // first start: nothing kept yet
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string zone;
        Entry e{};
        if (!(fields >> zone >> e.serial >> std::hex >> e.digest))
            throw config::LoadError({path_, number, 1}, "expected ZONE SERIAL DIGEST");
        entries_[zone] = e;
    }
}

std::uint32_t SerialStore::serial_for(const std::string& zone, std::uint64_t digest,
                                      std::uint32_t today) {
    auto it = entries_.find(zone);
    if (it != entries_.end() && it->second.digest == digest) return it->second.serial;
    std::uint32_t serial = today;
    if (it != entries_.end() && !serial_newer(serial, it->second.serial))
        serial = it->second.serial + 1;
    entries_[zone] = {serial, digest};
    changed_ = true;
    return serial;
}

void SerialStore::save() const {
    std::ostringstream out;
    out << "# srvd: serials of soa.serial: auto zones (zone serial content-digest)\n";
    for (const auto& [zone, e] : entries_)
        out << zone << ' ' << e.serial << ' ' << std::hex << e.digest << std::dec << '\n';
    const std::filesystem::path path(path_);
    if (auto error =
            write_state_file(path.parent_path().string(), path.filename().string(), out.str());
        !error.empty())
        throw config::LoadError({path_, 0, 0},
                                "cannot write the serials of soa.serial: auto zones: " + error +
                                    " (is state_dir writable by srvd's user?)");
}

std::uint32_t SerialStore::today() {
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    return static_cast<std::uint32_t>((utc.tm_year + 1900) * 1000000 + (utc.tm_mon + 1) * 10000 +
                                      utc.tm_mday * 100);
}

} // namespace srvd::zone
