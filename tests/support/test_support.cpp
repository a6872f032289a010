#include "support/test_support.hpp"

#include "config/zone_policy.hpp"
#include "dns/rr.hpp"
#include "zone/zone_view.hpp"

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
    std::ofstream(file) << text;
    return file;
}

std::shared_ptr<const zone::Snapshot> compile_policy(const std::string& yaml, std::uint16_t udp_payload) {
    TempDir dir;
    const std::string file = dir.write("zone.yaml", yaml);
    zone::SnapshotOptions options;
    options.udp_payload = udp_payload;
    return zone::compile_snapshot({zone::build_zone(load_zone_policy(file))}, options);
}

std::vector<std::uint8_t> make_query(const std::string& name, std::uint16_t type,
                                     const QueryOptions& options, std::uint16_t id) {
    ldns_pkt* pkt = nullptr;
    if (ldns_pkt_query_new_frm_str(&pkt, name.c_str(), static_cast<ldns_rr_type>(type),
                                   LDNS_RR_CLASS_IN, options.rd ? LDNS_RD : 0) != LDNS_STATUS_OK)
        throw std::runtime_error("cannot build query for " + name);
    ldns_pkt_set_id(pkt, id);
    if (options.edns) {
        ldns_pkt_set_edns_udp_size(pkt, options.payload);
        ldns_pkt_set_edns_version(pkt, options.edns_version);
        // ldns only writes an OPT record when it thinks EDNS "matters".
        ldns_pkt_set_edns_data(pkt, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, 0, ""));
    }
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    if (ldns_pkt2wire(&wire, pkt, &size) != LDNS_STATUS_OK) throw std::runtime_error("pkt2wire");
    std::vector<std::uint8_t> out(wire, wire + size);
    free(wire);
    ldns_pkt_free(pkt);
    return out;
}

Response::~Response() {
    if (pkt) ldns_pkt_free(pkt);
}

int Response::rcode() const {
    return (ldns_pkt_edns_extended_rcode(pkt) << 4) | ldns_pkt_get_rcode(pkt);
}
bool Response::flag_aa() const { return ldns_pkt_aa(pkt); }
bool Response::flag_tc() const { return ldns_pkt_tc(pkt); }

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

Response ask(const zone::Snapshot& s, const std::vector<std::uint8_t>& query, engine::Protocol protocol) {
    Response r;
    std::vector<std::uint8_t> out(65535);
    engine::ClientAddress client;
    client.family = 4;
    client.bytes[0] = 127;
    client.bytes[3] = 1;
    engine::Request request{query.data(), query.size(), protocol, client};
    const std::size_t n = engine::answer_query(s, request, out.data(), out.size());
    out.resize(n);
    r.wire = out;
    if (n > 0 && ldns_wire2pkt(&r.pkt, out.data(), n) != LDNS_STATUS_OK) r.pkt = nullptr;
    return r;
}

Response ask(const zone::Snapshot& s, const std::string& name, std::uint16_t type,
             const QueryOptions& options) {
    return ask(s, make_query(name, type, options), options.protocol);
}

} // namespace srvd::test
