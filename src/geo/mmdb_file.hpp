#pragma once
// A MaxMind DB file (GeoIP2, GeoLite2, DB-IP…) opened with libmaxminddb.
// Used at load time and by `explain` only: the packet path reads the
// compiled prefix tables instead. It reads a private in-memory copy, so
// the file may be rewritten or truncated at any moment.
#include "config/server_config.hpp"
#include "geo/location.hpp"
#include "geo/prefix_table.hpp"

#include <maxminddb.h>

#include <functional>
#include <string>
#include <vector>

namespace srvd::geo {

class MmdbFile {
  public:
    explicit MmdbFile(const std::string& path); // throws LoadError
    ~MmdbFile();
    MmdbFile(const MmdbFile&) = delete;
    MmdbFile& operator=(const MmdbFile&) = delete;

    // Calls `visit(first, prefix_length, data_offset)` for every network with
    // data, in address order. IPv4 networks (the ::/96 subtree of an IPv6
    // database, or all of an IPv4 one) are reported by for_each_v4 only.
    void for_each_v4(const std::function<void(std::uint32_t, int, std::uint64_t)>& visit) const;
    void for_each_v6(const std::function<void(u128, int, std::uint64_t)>& visit) const;

    // The fields named in `fields`, read from the record at `data_offset`.
    Location read(std::uint64_t data_offset, const config::GeoIpFields& fields) const;
    // For explain: the record for an address (nullopt when none), with the
    // raw values read, one "path = value" line each.
    std::optional<Location> lookup(const std::string& address, const config::GeoIpFields& fields,
                                   std::vector<std::string>* lines) const;
    std::string description() const;

  private:
    template <typename Visit>
    void walk(std::uint32_t node, int depth, u128 prefix, int width, std::uint32_t skip,
              const Visit& visit) const;
    std::uint32_t v4_root(bool& is_data, std::uint64_t& data) const;

    std::string path_;
    MMDB_s db_{};
};

} // namespace srvd::geo
