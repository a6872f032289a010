#include "support/test_support.hpp"

#include "config/zone_policy.hpp"
#include "dns/query_builder.hpp"
#include "dns/rr.hpp"
#include "util/asio_address.hpp"
#include "zone/model/zone_builder.hpp"
#include "zone/model/zone_view.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace srvd::test {

TempDir::TempDir() {
    char tmpl[] = "/tmp/srvd-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
    const std::string file = path_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path());
    std::ofstream(file) << text;
    return file;
}

std::shared_ptr<const zone::Snapshot> compile_policy(const std::string& yaml,
                                                     std::uint16_t udp_payload,
                                                     const config::GeoIpConfig* geoip) {
    TempDir dir;
    const std::string file = dir.write("zone.yaml", yaml);
    zone::SnapshotOptions options;
    options.udp_payload = udp_payload;
    options.geoip = geoip;
    return zone::compile_snapshot({zone::build_zone(config::load_zone_policy(file))}, options);
}

std::vector<std::uint8_t> make_query(const std::string& name, std::uint16_t type,
                                     const QueryOptions& options, std::uint16_t id) {
    dns::QuerySpec spec;
    spec.name = name;
    spec.type = type;
    spec.id = id;
    spec.rd = options.rd;
    spec.edns = options.edns;
    spec.payload = options.payload;
    spec.edns_version = options.edns_version;
    spec.dnssec_ok = options.dnssec_ok;
    if (!options.ecs.empty()) spec.ecs = dns::parse_client_subnet(options.ecs);
    return dns::build_query(spec);
}

Response::~Response() {
    if (pkt) ldns_pkt_free(pkt);
}

int Response::rcode() const {
    return (ldns_pkt_edns_extended_rcode(pkt) << 4) | ldns_pkt_get_rcode(pkt);
}
bool Response::flag_aa() const {
    return ldns_pkt_aa(pkt);
}
bool Response::flag_tc() const {
    return ldns_pkt_tc(pkt);
}

std::vector<std::string> Response::section(int which) const {
    ldns_rr_list* list = which == 0   ? ldns_pkt_answer(pkt)
                         : which == 1 ? ldns_pkt_authority(pkt)
                                      : ldns_pkt_additional(pkt);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
        std::string text = dns::rr_to_text(ldns_rr_list_rr(list, i));
        for (char& c : text) {
            if (c == '\t') c = ' ';
        }
        auto space = text.find(' ');
        std::transform(text.begin(), text.begin() + space, text.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        out.push_back(text);
    }
    return out;
}

engine::ClientAddress client_address(const std::string& text) {
    return srvd::client_address(boost::asio::ip::make_address(text));
}

Response ask(const zone::Snapshot& s, const std::vector<std::uint8_t>& query,
             engine::Protocol protocol, const std::string& client) {
    Response r;
    std::vector<std::uint8_t> out(65535);
    engine::Request request{query.data(), query.size(), protocol, client_address(client)};
    const std::size_t n = engine::answer_query(s, request, out.data(), out.size());
    out.resize(n);
    r.wire = out;
    if (n > 0 && ldns_wire2pkt(&r.pkt, out.data(), n) != LDNS_STATUS_OK) r.pkt = nullptr;
    return r;
}

Response ask(const zone::Snapshot& s, const std::string& name, std::uint16_t type,
             const QueryOptions& options) {
    return ask(s, make_query(name, type, options), options.protocol, options.client);
}

} // namespace srvd::test
