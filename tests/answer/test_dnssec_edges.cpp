// Signed answers on ordinary carrier zones (#24): delegations with glue,
// secure and insecure; explicit NSEC and RRSIG queries; a ZSK rollover's
// two keys; names at the length limits; the CO flag through a CNAME. Each
// answer is checked as a validator checks it: every signature verifies,
// and every NSEC proves what it must, in canonical order (RFC 4034 6.1).
#include "answer/signed_zone.hpp"
#include "config/zone_policy.hpp"
#include "dns/rr.hpp"
#include "dns/wire.hpp"
#include "zone/model/zone_builder.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace srvd;
using namespace srvd::test;

namespace {

const char* const carrier_yaml = R"(
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
media_servers:
  ms1: { addresses: [192.0.2.11] }
proxies:
  proxy-a: { targets: [ms1] }
records:
  - "sub NS ns.sub"
  - "ns.sub A 192.0.2.53"
  - "secure NS ns.secure"
  - "ns.secure A 192.0.2.54"
  - "secure DS 2371 13 2 1F987CC6583E92DF0890718C42A8AF4D1F3C3E7E3C5F8D7D6B1B0F3E2C9A8B7C"
  - "www A 192.0.2.80"
  - "alias CNAME www"
  - "gone CNAME nowhere"
  - "*.wild TXT \"wildcard\""
)";

QueryOptions with_do() {
    QueryOptions o;
    o.dnssec_ok = true;
    return o;
}

// The records of `type` in a section, owned by the packet's copy.
struct Records {
    ldns_rr_list* list;
    explicit Records(const Response& r, ldns_rr_type type, ldns_pkt_section section)
        : list(ldns_pkt_rr_list_by_type(r.pkt, type, section)) {}
    ~Records() { ldns_rr_list_deep_free(list); }
    std::size_t size() const { return list ? ldns_rr_list_rr_count(list) : 0; }
    const ldns_rr* operator[](std::size_t i) const { return ldns_rr_list_rr(list, i); }
};

// How many RRSIGs of a section cover `type`.
int signatures_of(const Response& r, ldns_pkt_section section, ldns_rr_type type) {
    Records sigs(r, LDNS_RR_TYPE_RRSIG, section);
    int n = 0;
    for (std::size_t i = 0; i < sigs.size(); ++i)
        n += ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sigs[i])) == type;
    return n;
}

// Canonical order, as validators compare names.
bool before(const ldns_rdf* a, const ldns_rdf* b) {
    return ldns_dname_compare(a, b) < 0;
}

dns::RdfPtr name(const std::string& text) {
    return dns::RdfPtr(ldns_dname_new_frm_str(text.c_str()));
}

// Whether an NSEC covers `qname`: it lies strictly between owner and next.
bool covers(const ldns_rr* nsec, const ldns_rdf* qname) {
    return before(ldns_rr_owner(nsec), qname) && before(qname, ldns_rr_rdf(nsec, 0));
}

// "label.label...." of `sizes` octets each, then example.com.
std::string long_name(const std::vector<int>& sizes, char fill = 'a') {
    std::string out;
    for (int n : sizes) out += std::string(static_cast<std::size_t>(n), fill) + ".";
    return out + "example.com.";
}

} // namespace

TEST_CASE("signed zone with insecure and secure delegations and their glue: loads, and its "
          "referrals sign only the DS or the NSEC proving there is none (RFC 4035 2.2, 3.1.4)") {
    SignedZone z("ECDSAP256SHA256", carrier_yaml); // loading it threw "sections out of order"
    // Insecure: NS and glue unsigned; the NSEC at the cut (NS, no DS) signed.
    auto insecure = ask(*z.signed_, "host.sub.example.com.", dns::type::A, with_do());
    REQUIRE(insecure.pkt);
    CHECK(insecure.rcode() == dns::rcode::NOERROR);
    CHECK_FALSE(insecure.flag_aa());
    CHECK(Records(insecure, LDNS_RR_TYPE_NS, LDNS_SECTION_AUTHORITY).size() == 1);
    CHECK(signatures_of(insecure, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_NS) == 0);
    Records nsec(insecure, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);
    REQUIRE(nsec.size() == 1);
    CHECK(dns::rdf_to_text(ldns_rr_owner(nsec[0])) == "sub.example.com.");
    CHECK(dns::rdf_to_text(ldns_rr_rdf(nsec[0], 1)) == "NS RRSIG NSEC ");
    CHECK(signatures_of(insecure, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_NSEC) == 1);
    CHECK(Records(insecure, LDNS_RR_TYPE_A, LDNS_SECTION_ADDITIONAL).size() == 1);
    CHECK(Records(insecure, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ADDITIONAL).size() == 0);

    // Secure: NS unsigned, DS and its RRSIG, no NSEC; glue unsigned.
    auto secure = ask(*z.signed_, "host.secure.example.com.", dns::type::A, with_do());
    REQUIRE(secure.pkt);
    CHECK(signatures_of(secure, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_NS) == 0);
    CHECK(Records(secure, LDNS_RR_TYPE_DS, LDNS_SECTION_AUTHORITY).size() == 1);
    CHECK(signatures_of(secure, LDNS_SECTION_AUTHORITY, LDNS_RR_TYPE_DS) == 1);
    CHECK(Records(secure, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY).size() == 0);
    CHECK(Records(secure, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ADDITIONAL).size() == 0);
    // The DS's signature verifies (verify_section skips nothing it finds signed).
    Records ds(secure, LDNS_RR_TYPE_DS, LDNS_SECTION_AUTHORITY);
    Records sigs(secure, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_AUTHORITY);
    ldns_rr_list* set = ldns_rr_list_new();
    ldns_rr_list_push_rr(set, ldns_rr_clone(ds[0]));
    ldns_rr_list* keys = ldns_rr_list_new();
    ldns_rr_list_push_rr(keys, ldns_rr_clone(z.zsk.get()));
    CHECK(ldns_verify(set, sigs.list, keys, nullptr) == LDNS_STATUS_OK);
    ldns_rr_list_deep_free(set);
    ldns_rr_list_deep_free(keys);

    // The DS query at the cut is the parent's, answered and signed.
    auto ds_query = ask(*z.signed_, "secure.example.com.", dns::type::DS, with_do());
    CHECK(ds_query.flag_aa());
    CHECK(verify_section(ds_query.pkt, LDNS_SECTION_ANSWER, z.zsk.get()) == 1);
    // Without DO, referrals are the unsigned zone's, byte for byte.
    for (const char* q : {"host.sub.example.com.", "host.secure.example.com."})
        CHECK(ask(*z.signed_, q, dns::type::A).wire == ask(*z.plain, q, dns::type::A).wire);
}

TEST_CASE("a ZSK rollover's new and old keys both sign the per-query denials and wildcard proofs") {
    SignedZone z("ECDSAP256SHA256"); // KSK and the old ZSK
    dns::RrPtr fresh;
    const std::string fresh_base = z.keygen("-a ECDSAP256SHA256", fresh);
    // The new ZSK listed first, as an operator adds it.
    const std::string keys = "[" + fresh_base + ", " + z.keys.substr(1);
    const std::string file = z.dir.write("rolling.yaml", std::string(signed_zone_yaml) +
                                                             "dnssec: { keys: " + keys + " }\n");
    const auto snapshot =
        zone::compile_snapshot({zone::build_zone(config::load_zone_policy(file))});
    const int old_tag = ldns_calc_keytag(z.zsk.get()), new_tag = ldns_calc_keytag(fresh.get());
    for (const auto& [qname, type] : std::vector<std::pair<std::string, std::uint16_t>>{
             {"nothing-here.example.com.", dns::type::A},
             {"x.wild.example.com.", dns::type::TXT},
             {"www.example.com.", dns::type::TXT}}) {
        CAPTURE(qname);
        auto r = ask(*snapshot, qname, type, with_do());
        REQUIRE(r.pkt);
        CHECK(signer_tags(r, LDNS_SECTION_AUTHORITY) == std::set<int>{old_tag, new_tag});
        // A validator holding only the old DNSKEY set still verifies it.
        CHECK(verify_section(r.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get(), fresh.get()) >= 1);
    }
}

TEST_CASE("with DO, a query for NSEC or RRSIG answers the name's own, at a CNAME too") {
    SignedZone z("ECDSAP256SHA256", carrier_yaml);
    for (const auto& [qname, types] : std::vector<std::pair<std::string, std::string>>{
             {"www.example.com.", "A RRSIG NSEC "},
             {"alias.example.com.", "CNAME RRSIG NSEC "},
             {"example.com.", "NS SOA RRSIG NSEC DNSKEY CDS CDNSKEY "},
             {"_udp.proxy-a.example.com.", "RRSIG NSEC "}}) {
        CAPTURE(qname);
        auto nsec = ask(*z.signed_, qname, dns::type::NSEC, with_do());
        REQUIRE(nsec.pkt);
        CHECK(nsec.rcode() == dns::rcode::NOERROR);
        Records answer(nsec, LDNS_RR_TYPE_NSEC, LDNS_SECTION_ANSWER);
        REQUIRE(answer.size() == 1);
        CHECK(dns::rdf_to_text(ldns_rr_owner(answer[0])) == qname);
        CHECK(dns::rdf_to_text(ldns_rr_rdf(answer[0], 1)) == types);
        CHECK(Records(nsec, LDNS_RR_TYPE_CNAME, LDNS_SECTION_ANSWER).size() == 0);
        CHECK(verify_section(nsec.pkt, LDNS_SECTION_ANSWER, z.zsk.get()) == 1);

        auto rrsig = ask(*z.signed_, qname, dns::type::RRSIG, with_do());
        REQUIRE(rrsig.pkt);
        CHECK(rrsig.rcode() == dns::rcode::NOERROR);
        Records sigs(rrsig, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER);
        CHECK(sigs.size() >= 1);
        CHECK(sigs.size() == rrsig.section(0).size()); // RRSIGs only, no chain
        CHECK(signatures_of(rrsig, LDNS_SECTION_ANSWER, LDNS_RR_TYPE_NSEC) == 1);
        for (std::size_t i = 0; i < sigs.size(); ++i)
            CHECK(dns::rdf_to_text(ldns_rr_owner(sigs[i])) == qname);
    }
    // Without DO: what the unsigned zone answers.
    for (std::uint16_t type : {dns::type::NSEC, dns::type::RRSIG})
        CHECK(ask(*z.signed_, "alias.example.com.", type).wire ==
              ask(*z.plain, "alias.example.com.", type).wire);
}

TEST_CASE("names at the length limits get a valid compact proof, not SERVFAIL") {
    SignedZone z("ECDSAP256SHA256", carrier_yaml);
    // Missing names of 254 and 255 octets, the first label short or 63
    // octets long: "\000.qname" would be too long, so the next name is
    // qname's successor (RFC 4471).
    for (const auto& sizes : std::vector<std::vector<int>>{
             {48, 63, 63, 63}, {49, 63, 63, 63}, {63, 48, 63, 63}, {63, 49, 63, 63}}) {
        const std::string qname = long_name(sizes);
        CAPTURE(qname);
        auto r = ask(*z.signed_, qname, dns::type::A, with_do());
        REQUIRE(r.pkt);
        CHECK(r.rcode() == dns::rcode::NOERROR);
        CHECK(verify_section(r.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get()) == 2);
        Records nsec(r, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);
        REQUIRE(nsec.size() == 1);
        const auto q = name(qname);
        CHECK(ldns_dname_compare(ldns_rr_owner(nsec[0]), q.get()) == 0);
        CHECK(before(q.get(), ldns_rr_rdf(nsec[0], 0)));
    }
    // A 63-octet label matched by a wildcard, at the name length limit too:
    // the cover NSEC covers the name and not the wildcard.
    const auto wildcard = name("*.wild.example.com.");
    for (const std::string& qname :
         {std::string(63, 'b') + ".wild.example.com.",
          std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(63, 'd') + "." +
              std::string(43, 'e') + ".wild.example.com."}) {
        CAPTURE(qname);
        auto r = ask(*z.signed_, qname, dns::type::TXT, with_do());
        REQUIRE(r.pkt);
        CHECK(r.rcode() == dns::rcode::NOERROR);
        CHECK(r.section(0).size() == 2); // TXT and its RRSIG
        CHECK(verify_section(r.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get()) == 1);
        Records nsec(r, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);
        REQUIRE(nsec.size() == 1);
        CHECK(covers(nsec[0], name(qname).get()));
        CHECK_FALSE(covers(nsec[0], wildcard.get()));
    }
}

TEST_CASE("a wildcard's proof covers every name it matches: \\000, and names sorting either side "
          "of the *") {
    SignedZone z("ECDSAP256SHA256", carrier_yaml);
    const auto wildcard = name("*.wild.example.com.");
    const auto encloser = name("wild.example.com.");
    for (const std::string qname :
         {"\\000.wild.example.com.", "\\000\\000.wild.example.com.", "a.\\000.wild.example.com.",
          "!.wild.example.com.", "*a.wild.example.com.", "x.wild.example.com.",
          "\\255.wild.example.com."}) {
        CAPTURE(qname);
        auto r = ask(*z.signed_, qname, dns::type::TXT, with_do());
        REQUIRE(r.pkt);
        CHECK(r.rcode() == dns::rcode::NOERROR);
        CHECK(verify_section(r.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get()) == 1);
        Records nsec(r, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);
        REQUIRE(nsec.size() == 1);
        // The next closer name (one label below the encloser) is covered.
        const auto q = name(qname);
        dns::RdfPtr next_closer(ldns_dname_clone_from(
            q.get(), ldns_dname_label_count(q.get()) - ldns_dname_label_count(encloser.get()) - 1));
        CHECK(covers(nsec[0], next_closer.get()));
        CHECK_FALSE(covers(nsec[0], wildcard.get()));
        CHECK_FALSE(covers(nsec[0], encloser.get()));
        // An NSEC owned by an existing name states its real types.
        if (ldns_dname_compare(ldns_rr_owner(nsec[0]), encloser.get()) == 0)
            CHECK(dns::rdf_to_text(ldns_rr_rdf(nsec[0], 1)) == "RRSIG NSEC ");
    }
}

TEST_CASE("DO and CO through a CNAME to a missing name: NXDOMAIN, as for the missing name itself "
          "(RFC 9824 5)") {
    SignedZone z("ECDSAP256SHA256", carrier_yaml);
    QueryOptions o = with_do();
    auto co = [](std::vector<std::uint8_t> query) {
        query[query.size() - 4] |= 0x40; // the OPT's flags: DO 0x80, CO 0x40
        return query;
    };
    for (const char* qname : {"gone.example.com.", "nothing.example.com."}) {
        CAPTURE(qname);
        CHECK(ask(*z.signed_, co(make_query(qname, dns::type::A, o))).rcode() ==
              dns::rcode::NXDOMAIN);
        CHECK(ask(*z.signed_, qname, dns::type::A, o).rcode() == dns::rcode::NOERROR);
        CHECK(ask(*z.signed_, qname, dns::type::A).rcode() == dns::rcode::NXDOMAIN);
    }
    auto chain = ask(*z.signed_, co(make_query("gone.example.com.", dns::type::A, o)));
    Records nsec(chain, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);
    REQUIRE(nsec.size() == 1);
    CHECK(dns::rdf_to_text(ldns_rr_owner(nsec[0])) == "nowhere.example.com.");
    CHECK(dns::rdf_to_text(ldns_rr_rdf(nsec[0], 1)) == "RRSIG NSEC TYPE128 ");
}
