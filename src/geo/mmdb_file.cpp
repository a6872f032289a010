#include "geo/mmdb_file.hpp"

#include "config/load_error.hpp"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <sstream>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

namespace srvd::geo {
namespace {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    std::stringstream in(path);
    for (std::string part; std::getline(in, part, '/');)
        if (!part.empty()) parts.push_back(part);
    return parts;
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// Reads one field; numbers come back as text too, for explain.
bool read_field(MMDB_entry_s entry, const std::string& path, std::string& text, double& number) {
    if (path.empty()) return false;
    auto parts = split_path(path);
    std::vector<const char*> argv;
    for (auto& p : parts) argv.push_back(p.c_str());
    argv.push_back(nullptr);
    MMDB_entry_data_s data;
    if (MMDB_aget_value(&entry, &data, argv.data()) != MMDB_SUCCESS || !data.has_data) return false;
    switch (data.type) {
    case MMDB_DATA_TYPE_UTF8_STRING:
        text.assign(data.utf8_string, data.data_size);
        return true;
    case MMDB_DATA_TYPE_DOUBLE:
        number = data.double_value;
        break;
    case MMDB_DATA_TYPE_FLOAT:
        number = data.float_value;
        break;
    case MMDB_DATA_TYPE_UINT16:
        number = data.uint16;
        break;
    case MMDB_DATA_TYPE_UINT32:
        number = data.uint32;
        break;
    case MMDB_DATA_TYPE_INT32:
        number = data.int32;
        break;
    default:
        return false;
    }
    text = std::to_string(number);
    return true;
}

} // namespace

namespace {

struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// A private copy of the database, in memory (memfd): libmaxminddb maps the
// file it opens, and a file truncated or rewritten in place while mapped
// (`cp new.mmdb city.mmdb` during a 5-second compile, or an `explain`)
// kills the process with SIGBUS. The copy is ours alone; a file that
// changed while it was copied is refused, and the previous compiled table
// keeps serving. Returns the descriptor.
int private_copy(const std::string& path) {
    const auto fail = [&](const std::string& why) {
        throw config::LoadError({path, 0, 0}, "cannot read GeoIP database: " + why);
    };
    Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd < 0) fail(std::strerror(errno));
    struct stat before {};
    if (::fstat(in.fd, &before) != 0) fail(std::strerror(errno));
    if (!S_ISREG(before.st_mode)) fail("not a regular file");
    Fd copy{static_cast<int>(::memfd_create("srvd-geoip", MFD_CLOEXEC))};
    if (copy.fd < 0) fail(std::string("memfd_create: ") + std::strerror(errno));
    off_t copied = 0;
    for (;;) {
        // sendfile, not copy_file_range: the copy is on another file system.
        const ssize_t n = ::sendfile(copy.fd, in.fd, nullptr, 1 << 24);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(std::string("copying it: ") + std::strerror(errno));
        if (n == 0) break;
        copied += n;
    }
    struct stat after {};
    if (::fstat(in.fd, &after) != 0) fail(std::strerror(errno));
    if (copied != before.st_size || after.st_size != before.st_size ||
        after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
        after.st_mtim.tv_nsec != before.st_mtim.tv_nsec)
        fail("it changed while it was read (" + std::to_string(before.st_size) + " bytes, then " +
             std::to_string(after.st_size) +
             "): replace it with a rename (cp to a temporary name, then mv), and reload");
    const int fd = copy.fd;
    copy.fd = -1;
    return fd;
}

} // namespace

MmdbFile::MmdbFile(const std::string& path) : path_(path) {
    Fd copy{private_copy(path)};
    // libmaxminddb opens by name: the copy's, through /proc. Its mapping
    // keeps the copy alive once our descriptor is closed.
    const std::string name = "/proc/self/fd/" + std::to_string(copy.fd);
    const int status = MMDB_open(name.c_str(), MMDB_MODE_MMAP, &db_);
    if (status != MMDB_SUCCESS)
        throw config::LoadError({path, 0, 0}, std::string("cannot open GeoIP database: ") +
                                                  MMDB_strerror(status));
}

MmdbFile::~MmdbFile() {
    MMDB_close(&db_);
}

std::string MmdbFile::description() const {
    return std::string(db_.metadata.database_type ? db_.metadata.database_type : "?") + ", IPv" +
           std::to_string(db_.metadata.ip_version) + ", " +
           std::to_string(db_.metadata.node_count) + " nodes";
}

template <typename Visit>
void MmdbFile::walk(std::uint32_t node, int depth, u128 prefix, int width, std::uint32_t skip,
                    const Visit& visit) const {
    MMDB_search_node_s n;
    if (MMDB_read_node(&db_, node, &n) != MMDB_SUCCESS)
        throw config::LoadError({path_, 0, 0}, "corrupt GeoIP database: bad search tree node");
    for (int side = 0; side < 2; ++side) {
        const std::uint64_t record = side ? n.right_record : n.left_record;
        const std::uint8_t type = side ? n.right_record_type : n.left_record_type;
        const u128 child = prefix | (static_cast<u128>(side) << (width - 1 - depth));
        if (type == MMDB_RECORD_TYPE_SEARCH_NODE) {
            if (record == skip) continue; // the IPv4 subtree and its aliases
            if (depth + 1 >= width)
                throw config::LoadError(
                    {path_, 0, 0}, "corrupt GeoIP database: search tree deeper than the address");
            walk(static_cast<std::uint32_t>(record), depth + 1, child, width, skip, visit);
        } else if (type == MMDB_RECORD_TYPE_DATA) {
            const auto& entry = side ? n.right_record_entry : n.left_record_entry;
            visit(child, depth + 1, static_cast<std::uint64_t>(entry.offset));
        }
    }
}

std::uint32_t MmdbFile::v4_root(bool& is_data, std::uint64_t& data) const {
    is_data = false;
    if (db_.metadata.ip_version == 4) return 0;
    std::uint32_t node = 0;
    for (int i = 0; i < 96; ++i) {
        MMDB_search_node_s n;
        if (MMDB_read_node(&db_, node, &n) != MMDB_SUCCESS)
            throw config::LoadError({path_, 0, 0}, "corrupt GeoIP database: bad search tree node");
        if (n.left_record_type != MMDB_RECORD_TYPE_SEARCH_NODE) {
            is_data = n.left_record_type == MMDB_RECORD_TYPE_DATA;
            data = n.left_record_entry.offset;
            return UINT32_MAX;
        }
        node = static_cast<std::uint32_t>(n.left_record);
    }
    return node;
}

void MmdbFile::for_each_v4(
    const std::function<void(std::uint32_t, int, std::uint64_t)>& visit) const {
    bool is_data;
    std::uint64_t data;
    const std::uint32_t root = v4_root(is_data, data);
    if (root == UINT32_MAX) {
        if (is_data) visit(0, 0, data);
        return;
    }
    walk(root, 0, 0, 32, UINT32_MAX, [&](u128 first, int length, std::uint64_t offset) {
        visit(static_cast<std::uint32_t>(first), length, offset);
    });
}

void MmdbFile::for_each_v6(const std::function<void(u128, int, std::uint64_t)>& visit) const {
    if (db_.metadata.ip_version != 6) return;
    bool is_data;
    std::uint64_t data;
    const std::uint32_t v4 = v4_root(is_data, data);
    walk(0, 0, 0, 128, v4, visit);
}

Location MmdbFile::read(std::uint64_t data_offset, const config::GeoIpFields& fields) const {
    MMDB_entry_s entry{&db_, static_cast<std::uint32_t>(data_offset)};
    Location at;
    std::string text;
    double number = 0;
    if (read_field(entry, fields.continent, text, number)) at.continent = upper(text);
    text.clear();
    if (read_field(entry, fields.country, text, number)) at.country = upper(text);
    text.clear();
    if (read_field(entry, fields.subdivision, text, number)) at.subdivision = upper(text);
    double lat = 0, lon = 0;
    std::string ignored;
    if (read_field(entry, fields.latitude, ignored, lat) &&
        read_field(entry, fields.longitude, ignored, lon) && lat >= -90 && lat <= 90 &&
        lon >= -180 && lon <= 180)
        at.point = config::GeoPoint{lat, lon};
    return at;
}

std::optional<Location> MmdbFile::lookup(const std::string& address,
                                         const config::GeoIpFields& fields,
                                         std::vector<std::string>* lines) const {
    int gai = 0, status = 0;
    MMDB_lookup_result_s r = MMDB_lookup_string(&db_, address.c_str(), &gai, &status);
    if (gai != 0 || status != MMDB_SUCCESS || !r.found_entry) return std::nullopt;
    if (lines) {
        for (const auto& [name, path] : {std::pair{"continent", &fields.continent},
                                         {"country", &fields.country},
                                         {"subdivision", &fields.subdivision},
                                         {"latitude", &fields.latitude},
                                         {"longitude", &fields.longitude}}) {
            std::string text;
            double number = 0;
            const bool found = read_field(r.entry, *path, text, number);
            lines->push_back(std::string(name) + " (" + *path +
                             ") = " + (found ? text : "(absent)"));
        }
        // An IPv6 database holds IPv4 at ::/96: show the IPv4 prefix length.
        const bool v4 = address.find(':') == std::string::npos;
        const int netmask = v4 && db_.metadata.ip_version == 6 ? r.netmask - 96 : r.netmask;
        lines->push_back("network /" + std::to_string(netmask) + " in the database");
    }
    return read(r.entry.offset, fields);
}

} // namespace srvd::geo
