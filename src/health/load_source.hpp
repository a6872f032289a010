#pragma once
// Where a media server's load is read (health.load): a header of its
// OPTIONS replies, or an HTTP URL answering a number (as PowerDNS's
// pickselfweighted reads one), on the control thread's Asio loop.
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace srvd::health {

// A load reading, or why there is none.
struct LoadReading {
    std::optional<double> load;
    std::string error;
};

// The number a text holds ("63", " 63.5\n"): nullopt when it holds
// anything else.
std::optional<double> parse_load(const std::string& text);

// GET `url` (http://HOST[:PORT]/PATH) and read its body as a number;
// `done` runs exactly once, within `timeout_ms`.
void fetch_load(boost::asio::io_context& io, const std::string& url, std::uint32_t timeout_ms,
                std::function<void(LoadReading)> done);

} // namespace srvd::health
