// Signed answers (#16, not yet reachable from a policy): a zone compiled
// with keys answers a query with the DO bit with the RRSIG of every RRset,
// which ldns verifies against the zone's key, in every ordering a client
// can get; without DO the answer is the unsigned zone's, byte for byte.
#include "config/zone_policy.hpp"
#include "dns/wire.hpp"
#include "support/test_support.hpp"
#include "zone/zone_builder.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <set>

using namespace srvd;
using namespace srvd::test;

namespace {

const char* zone_yaml = R"(
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
media_servers:
  ms1: { addresses: [192.0.2.11] }
  ms2: { addresses: [192.0.2.12] }
  ms3: { addresses: [192.0.2.13] }
proxies:
  proxy-a: { targets: [{ms1: 50, ms2: 50}, ms3] }
records:
  - "www IN A 192.0.2.80"
  - "*.wild IN TXT \"wildcard\""
)";

struct SignedZone {
    TempDir dir;
    std::shared_ptr<const zone::Snapshot> plain, signed_;
    dns::RrPtr dnskey;

    SignedZone() {
        const std::string file = dir.write("zone.yaml", zone_yaml);
        const std::string command =
            "cd '" + dir.path() + "' && ldns-keygen -a ECDSAP256SHA256 -k example.com > key.out";
        REQUIRE(std::system(command.c_str()) == 0);
        std::ifstream out(dir.path() + "/key.out");
        std::string base;
        std::getline(out, base);
        auto keys = std::make_shared<dnssec::ZoneKeys>(
            dnssec::load_zone_keys("example.com.", {{dir.path() + "/" + base, {}}}, {}));
        dnskey.reset(ldns_rr_clone(keys->keys.front().dnskey.get()));
        plain = zone::compile_snapshot({zone::build_zone(config::load_zone_policy(file))});
        auto data = zone::build_zone(config::load_zone_policy(file));
        data->keys = keys;
        data->validity = dnssec::validity_from(std::time(nullptr), 14);
        signed_ = zone::compile_snapshot({data});
    }
};

// Every RRset of a section verified by its RRSIG, as a validator would.
// Returns how many sets were verified; fails on a set without a signature.
int verify_section(const ldns_pkt* pkt, ldns_pkt_section section, const ldns_rr* dnskey) {
    ldns_rr_list* all = ldns_pkt_get_section_clone(pkt, section);
    std::map<std::pair<std::string, int>, ldns_rr_list*> sets, sigs;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(all); ++i) {
        ldns_rr* rr = ldns_rr_list_rr(all, i);
        const bool sig = ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG;
        const int type =
            sig ? ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) : ldns_rr_get_type(rr);
        auto& into = (sig ? sigs : sets)[{dns::rdf_to_text(ldns_rr_owner(rr)), type}];
        if (!into) into = ldns_rr_list_new();
        ldns_rr_list_push_rr(into, rr);
    }
    ldns_rr_list* keys = ldns_rr_list_new();
    ldns_rr_list_push_rr(keys, const_cast<ldns_rr*>(dnskey));
    int verified = 0;
    for (auto& [key, set] : sets) {
        CAPTURE(key.first);
        CAPTURE(key.second);
        REQUIRE(sigs.count(key));
        CHECK(ldns_verify(set, sigs[key], keys, nullptr) == LDNS_STATUS_OK);
        ++verified;
    }
    for (auto& [key, list] : sets) ldns_rr_list_free(list);
    for (auto& [key, list] : sigs) ldns_rr_list_free(list);
    ldns_rr_list_free(keys);
    ldns_rr_list_deep_free(all);
    return verified;
}

} // namespace

TEST_CASE("signed zone: with DO every answer and authority RRset carries an RRSIG that verifies") {
    SignedZone z;
    QueryOptions dnssec;
    dnssec.dnssec_ok = true;
    for (const auto& [name, type] : std::vector<std::pair<std::string, std::uint16_t>>{
             {"_sip._udp.proxy-a.example.com.", dns::type::SRV},
             {"proxy-a.example.com.", dns::type::NAPTR},
             {"proxy-a.example.com.", dns::type::A},
             {"www.example.com.", dns::type::A},
             {"example.com.", dns::type::SOA},
             {"example.com.", dns::type::NS},
             {"x.wild.example.com.", dns::type::TXT}}) {
        CAPTURE(name);
        auto r = ask(*z.signed_, name, type, dnssec);
        REQUIRE(r.pkt);
        CHECK(r.rcode() == 0);
        CHECK(verify_section(r.pkt, LDNS_SECTION_ANSWER, z.dnskey.get()) >= 1);
        verify_section(r.pkt, LDNS_SECTION_AUTHORITY, z.dnskey.get());
        // Without DO: exactly the unsigned zone's answer.
        CHECK(ask(*z.signed_, name, type).wire == ask(*z.plain, name, type).wire);
    }
}

TEST_CASE("signed zone: every ordering of a weighted tier verifies with the one signature") {
    SignedZone z;
    std::set<std::string> firsts;
    for (int subnet = 0; subnet < 64; ++subnet) {
        QueryOptions o;
        o.dnssec_ok = true;
        o.client = "198.51." + std::to_string(subnet) + ".1";
        auto r = ask(*z.signed_, "_sip._udp.proxy-a.example.com.", dns::type::SRV, o);
        REQUIRE(r.pkt);
        CHECK(verify_section(r.pkt, LDNS_SECTION_ANSWER, z.dnskey.get()) == 1);
        firsts.insert(r.section(0).front());
    }
    CHECK(firsts.size() == 2); // ms1 first for some clients, ms2 for others
}
