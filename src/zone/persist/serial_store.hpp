#pragma once
// Serials of `soa.serial: auto` zones and the content digest each was given
// for, kept in STATE_DIR/serials. A restart with unchanged content keeps the
// serial; changed content gets a newer one, so serials never go backwards
// (Knot's serial-policy dateserial: YYYYMMDDnn, or the last one plus one).
#include <cstdint>
#include <map>
#include <string>

namespace srvd::zone {

class SerialStore {
  public:
    // Reads the file if it exists; a malformed one is a LoadError.
    explicit SerialStore(std::string path);

    // The serial for `zone` with content `digest`; `today` is YYYYMMDD00.
    std::uint32_t serial_for(const std::string& zone, std::uint64_t digest, std::uint32_t today);

    bool changed() const { return changed_; }
    // Writes the file whole, never through a link (write_state_file); throws LoadError.
    void save() const;

    static std::uint32_t today(); // YYYYMMDD00, UTC

  private:
    struct Entry {
        std::uint32_t serial;
        std::uint64_t digest;
    };
    std::string path_;
    std::map<std::string, Entry> entries_;
    bool changed_ = false;
};

} // namespace srvd::zone
