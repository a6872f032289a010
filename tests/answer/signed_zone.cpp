#include "answer/signed_zone.hpp"

#include "config/zone_policy.hpp"
#include "dns/rr.hpp"
#include "zone/model/zone_builder.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>

namespace srvd::test {

const char* const signed_zone_yaml = R"(
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

SignedZone::SignedZone(const std::string& zsk_algorithm, const std::string& yaml) {
    keys = "[" + keygen("-k -a ECDSAP256SHA256", ksk);
    if (zsk_algorithm.empty())
        zsk.reset(ldns_rr_clone(ksk.get()));
    else
        keys += ", " + keygen("-a " + zsk_algorithm, zsk);
    keys += "]";
    plain = zone::compile_snapshot(
        {zone::build_zone(config::load_zone_policy(dir.write("plain.yaml", yaml)))});
    const std::string file =
        dir.write("zone.yaml", std::string(yaml) + "dnssec: { keys: " + keys + " }\n");
    signed_ = zone::compile_snapshot({zone::build_zone(config::load_zone_policy(file))});
}

std::string SignedZone::keygen(const std::string& options, dns::RrPtr& dnskey) const {
    const std::string command =
        "cd '" + dir.path() + "' && ldns-keygen " + options + " example.com > key.out";
    REQUIRE(std::system(command.c_str()) == 0);
    std::ifstream out(dir.path() + "/key.out");
    std::string base;
    std::getline(out, base);
    std::ifstream key(dir.path() + "/" + base + ".key");
    std::string line;
    std::getline(key, line);
    ldns_rr* rr = nullptr;
    REQUIRE(ldns_rr_new_frm_str(&rr, line.c_str(), 0, nullptr, nullptr) == LDNS_STATUS_OK);
    dnskey.reset(rr);
    return base;
}

int verify_section(const ldns_pkt* pkt, ldns_pkt_section section, const ldns_rr* dnskey,
                   const ldns_rr* other_key, std::time_t at) {
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
    if (other_key) ldns_rr_list_push_rr(keys, const_cast<ldns_rr*>(other_key));
    int verified = 0;
    for (auto& [key, set] : sets) {
        CAPTURE(key.first);
        CAPTURE(key.second);
        REQUIRE(sigs.count(key));
        // Signed with every algorithm of the keys given (RFC 4035 2.2).
        std::set<int> algorithms, signed_with;
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(keys); ++i)
            algorithms.insert(ldns_rdf2native_int8(ldns_rr_rdf(ldns_rr_list_rr(keys, i), 2)));
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(sigs[key]); ++i)
            signed_with.insert(ldns_rdf2native_int8(ldns_rr_rdf(ldns_rr_list_rr(sigs[key], i), 1)));
        CHECK(signed_with == algorithms);
        CHECK((at ? ldns_verify_time(set, sigs[key], keys, at, nullptr)
                  : ldns_verify(set, sigs[key], keys, nullptr)) == LDNS_STATUS_OK);
        ++verified;
    }
    for (auto& [key, list] : sets) ldns_rr_list_free(list);
    for (auto& [key, list] : sigs) ldns_rr_list_free(list);
    ldns_rr_list_free(keys);
    ldns_rr_list_deep_free(all);
    return verified;
}

std::set<int> signer_tags(const Response& r, ldns_pkt_section section) {
    std::set<int> tags;
    ldns_rr_list* sigs = ldns_pkt_rr_list_by_type(r.pkt, LDNS_RR_TYPE_RRSIG, section);
    for (std::size_t i = 0; sigs && i < ldns_rr_list_rr_count(sigs); ++i)
        tags.insert(ldns_rdf2native_int16(ldns_rr_rdf(ldns_rr_list_rr(sigs, i), 6)));
    ldns_rr_list_deep_free(sigs);
    return tags;
}

} // namespace srvd::test
