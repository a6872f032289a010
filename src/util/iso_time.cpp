#include "util/iso_time.hpp"

#include <cstdio>
#include <ctime>

namespace srvd {

std::string iso_time(std::chrono::system_clock::time_point t, bool milliseconds) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[40];
    std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
    if (milliseconds) {
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() %
            1000;
        n += static_cast<std::size_t>(
            std::snprintf(buffer + n, sizeof buffer - n, ".%03d", static_cast<int>(ms)));
    }
    return std::string(buffer, n) + "Z";
}

} // namespace srvd
