#pragma once
// Helpers shared by the unit and answer tests: inline policies written to
// temporary files, queries built and answers decoded with ldns (an
// independent implementation of the wire format).
#include "dns/ldns.hpp"
#include "engine/answer_engine.hpp"
#include "zone/snapshot/snapshot.hpp"

#include <memory>
#include <string>
#include <vector>

namespace srvd::test {

// A temporary directory removed at the end of the test.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }
    std::string write(const std::string& name, const std::string& text) const;

  private:
    std::string path_;
};

// Compiles one zone policy given as YAML text.
std::shared_ptr<const zone::Snapshot> compile_policy(const std::string& yaml,
                                                     std::uint16_t udp_payload = 1232,
                                                     const config::GeoIpConfig* geoip = nullptr);

struct QueryOptions {
    bool edns = true;
    std::uint16_t payload = 1232;
    std::uint8_t edns_version = 0;
    bool dnssec_ok = false;
    bool rd = false;
    engine::Protocol protocol = engine::Protocol::udp;
    std::string client = "127.0.0.1"; // the source address
    std::string ecs = "";             // "198.51.100.0/24": send an ECS option
};

engine::ClientAddress client_address(const std::string& text);

std::vector<std::uint8_t> make_query(const std::string& name, std::uint16_t type,
                                     const QueryOptions& options = {}, std::uint16_t id = 0x1234);

struct Response {
    std::vector<std::uint8_t> wire; // empty when dropped
    ldns_pkt* pkt = nullptr;        // null when dropped or undecodable
    ~Response();
    Response() = default;
    Response(Response&& o) noexcept : wire(std::move(o.wire)), pkt(o.pkt) { o.pkt = nullptr; }
    Response(const Response&) = delete;

    int rcode() const; // extended (BADVERS = 16)
    bool flag_aa() const;
    bool flag_tc() const;
    // One "owner TTL CLASS TYPE RDATA" line per record, owner lowercased.
    std::vector<std::string> section(int which) const; // 0 answer, 1 authority, 2 additional
};

Response ask(const zone::Snapshot& s, const std::vector<std::uint8_t>& query,
             engine::Protocol protocol = engine::Protocol::udp,
             const std::string& client = "127.0.0.1");
Response ask(const zone::Snapshot& s, const std::string& name, std::uint16_t type,
             const QueryOptions& options = {});

} // namespace srvd::test
