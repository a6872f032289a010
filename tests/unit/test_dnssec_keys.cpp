// DNSSEC keys as ldns-keygen writes them, and RRset signatures that ldns
// verifies. The key files come from the real tool, not from the code under test.
#include "dnssec/rrset_signer.hpp"
#include "dnssec/zone_keys.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace srvd;

namespace {

// Runs ldns-keygen in `dir` and returns the key's base path (what it prints).
std::string keygen(const test::TempDir& dir, const std::string& args) {
    const std::string out = dir.path() + "/keygen.out";
    const std::string command =
        "cd '" + dir.path() + "' && ldns-keygen " + args + " > keygen.out 2>&1";
    REQUIRE_MESSAGE(std::system(command.c_str()) == 0, "ldns-keygen " << args);
    std::ifstream f(out);
    std::string base;
    std::getline(f, base);
    return dir.path() + "/" + base;
}

std::string read(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

config::SourceMark mark(int line) {
    return {"zones/example.com.yaml", line, 5};
}

dns::RrPtr rr(const std::string& text) {
    ldns_rr* r = nullptr;
    REQUIRE(ldns_rr_new_frm_str(&r, text.c_str(), 300, nullptr, nullptr) == LDNS_STATUS_OK);
    return dns::RrPtr(r);
}

// What a validator does with one RRSIG: ldns_verify_rrsig over the set as given.
bool verifies(const std::vector<const ldns_rr*>& set, const ldns_rr* sig, const ldns_rr* dnskey) {
    ldns_rr_list* rrs = ldns_rr_list_new();
    for (const ldns_rr* r : set) ldns_rr_list_push_rr(rrs, ldns_rr_clone(r));
    const ldns_status s =
        ldns_verify_rrsig(rrs, const_cast<ldns_rr*>(sig), const_cast<ldns_rr*>(dnskey));
    ldns_rr_list_deep_free(rrs);
    return s == LDNS_STATUS_OK;
}

} // namespace

TEST_CASE(
    "DNSSEC keys: a CSK, or a KSK and a ZSK, from ldns-keygen, and the DS ldns-keygen gives") {
    test::TempDir dir;
    const std::string csk = keygen(dir, "-a ECDSAP256SHA256 -k example.com");
    auto one = dnssec::load_zone_keys("example.com.", {{csk, mark(3)}}, mark(2));
    REQUIRE(one.keys.size() == 1);
    CHECK(one.keys[0].flags == 257);
    CHECK(one.keys[0].algorithm == 13);
    const auto now = std::time(nullptr);
    CHECK(one.at(now).ksks().size() == 1);
    REQUIRE(one.at(now).zsks().size() == 1); // a CSK signs everything
    CHECK(one.at(now).zsks()[0] == one.at(now).ksks()[0]);
    // The DS record for the parent is the one ldns-keygen wrote beside the key.
    auto ds = dnssec::ds_record(one.keys[0], 3600);
    auto written = rr(read(csk + ".ds"));
    ldns_rr_set_ttl(written.get(), ldns_rr_ttl(ds.get())); // the .ds file has none
    CHECK(dns::rr_to_text(ds.get()) == dns::rr_to_text(written.get()));
    // Named with a suffix, or in another letter case, it is the same key.
    CHECK(dnssec::load_zone_keys("EXAMPLE.com.", {{csk + ".private", mark(3)}}, mark(2))
              .keys.size() == 1);

    // A ZSK of the same algorithm takes over everything but the key sets.
    const std::string zsk13 = keygen(dir, "-a ECDSAP256SHA256 example.com");
    auto same_keys =
        dnssec::load_zone_keys("example.com.", {{csk, mark(3)}, {zsk13, mark(4)}}, mark(2));
    const auto same = same_keys.at(now);
    REQUIRE(same.zsks().size() == 1);
    CHECK(same.zsks()[0]->flags == 256);
    REQUIRE(same.key_set_signers().size() == 1);
    CHECK(same.key_set_signers()[0]->flags == 257);
    CHECK(same.signers(LDNS_RR_TYPE_CDS) == same.key_set_signers());
    CHECK(same.signers(LDNS_RR_TYPE_CDNSKEY) == same.key_set_signers());
    CHECK(same.signers(LDNS_RR_TYPE_SOA) == same.zsks());

    // Of two algorithms, each signs every set (RFC 4035 2.2): the 257 of
    // algorithm 13 signs what the 256 of algorithm 15 signs, and the 256
    // signs the key sets for its algorithm, which has no 257.
    const std::string zsk = keygen(dir, "-a ED25519 example.com");
    auto two_keys =
        dnssec::load_zone_keys("example.com.", {{csk, mark(3)}, {zsk + ".key", mark(4)}}, mark(2));
    const auto two = two_keys.at(now);
    REQUIRE(two.ksks().size() == 1);
    CHECK(two.ksks()[0]->tag == one.keys[0].tag);
    for (const auto& signers : {two.zsks(), two.key_set_signers()}) {
        REQUIRE(signers.size() == 2);
        CHECK(signers[0]->algorithm != signers[1]->algorithm);
    }
}

TEST_CASE("DNSSEC keys: a key listed twice, under any name, is an error at its second entry") {
    test::TempDir dir;
    const std::string csk = keygen(dir, "-a ECDSAP256SHA256 -k example.com");
    const std::string zsk = keygen(dir, "-a ED25519 example.com");
    for (const std::string& again : {csk, csk + ".key", csk + ".private"}) {
        CAPTURE(again);
        try {
            dnssec::load_zone_keys("example.com.",
                                   {{csk, mark(3)}, {zsk, mark(4)}, {again, mark(5)}}, mark(2));
            FAIL("a key listed twice was accepted");
        } catch (const config::LoadError& e) {
            CHECK(e.mark().line == 5);
            CHECK(e.message().find("already listed at line 3") != std::string::npos);
        }
    }
}

TEST_CASE("DNSSEC keys: every unusable key is an error at its keys entry, all reported") {
    test::TempDir dir;
    const std::string good = keygen(dir, "-a ECDSAP256SHA256 -k example.com");
    const std::string other_zone = keygen(dir, "-a ED25519 -k example.net");
    const std::string rsa = keygen(dir, "-a RSASHA256 -b 1024 -k example.com");
    const std::string lonely = keygen(dir, "-a ED25519 example.com");
    std::filesystem::remove(lonely + ".key");
    const std::string swapped = keygen(dir, "-a ECDSAP256SHA256 example.com");
    std::filesystem::copy_file(good + ".private", swapped + ".private",
                               std::filesystem::copy_options::overwrite_existing);
    try {
        dnssec::load_zone_keys("example.com.",
                               {{good, mark(3)},
                                {dir.path() + "/Kmissing.+013+00001", mark(4)},
                                {other_zone, mark(5)},
                                {rsa, mark(6)},
                                {lonely, mark(7)},
                                {swapped, mark(8)}},
                               mark(2));
        FAIL("bad keys were accepted");
    } catch (const config::LoadErrors& e) {
        REQUIRE(e.errors().size() == 5);
        const auto& errors = e.errors();
        CHECK(errors[0].mark().line == 4);
        CHECK(errors[0].message().find("cannot open") != std::string::npos);
        CHECK(errors[1].mark().line == 5);
        CHECK(errors[1].message().find("is for zone example.net., not example.com.") !=
              std::string::npos);
        CHECK(errors[2].mark().line == 6);
        CHECK(errors[2].message().find("algorithm 8 (RSASHA256) is not supported") !=
              std::string::npos);
        CHECK(errors[3].mark().line == 7);
        CHECK(errors[3].message().find("has no public half") != std::string::npos);
        CHECK(errors[4].mark().line == 8);
        CHECK(errors[4].message().find("does not belong to the public key") != std::string::npos);
    }
    // Only a ZSK: nothing to sign the DNSKEY set or hand to the parent.
    const std::string zsk = keygen(dir, "-a ED25519 example.com");
    try {
        dnssec::load_zone_keys("example.com.", {{zsk, mark(3)}}, mark(2));
        FAIL("a zone without a key with flags 257 was accepted");
    } catch (const config::LoadError& e) {
        CHECK(e.mark().line == 2);
        CHECK(e.message().find("no key with flags 257") != std::string::npos);
    }
}

TEST_CASE("an RRset's signature verifies in every order of the set, and not after a change") {
    test::TempDir dir;
    for (const char* algorithm : {"ECDSAP256SHA256", "ED25519"}) {
        CAPTURE(algorithm);
        const std::string base = keygen(dir, std::string("-a ") + algorithm + " -k example.com");
        auto keys = dnssec::load_zone_keys("example.com.", {{base, mark(3)}}, mark(2));
        const dnssec::ZoneKey& key = keys.keys[0];
        auto a = rr("_sip._udp.proxy-a.example.com. 60 IN SRV 10 60 5060 ms1.example.com.");
        auto b = rr("_sip._udp.proxy-a.example.com. 60 IN SRV 10 40 5060 ms2.example.com.");
        auto c = rr("_sip._udp.proxy-a.example.com. 60 IN SRV 20 100 5060 ms3.example.com.");
        const auto now = static_cast<std::int64_t>(std::time(nullptr));
        const std::int64_t day = now - now % 86400; // whole UTC days
        CHECK(dnssec::day_start(now) == day);
        CHECK(dnssec::day_start(day + 86399) == day);
        const dnssec::Validity validity = dnssec::validity_from(day, 14);
        CHECK(validity.inception == day - 3600);
        CHECK(validity.expiration == day + 14 * 86400);
        auto sig = dnssec::sign_rrset({a.get(), b.get(), c.get()}, key, validity);
        REQUIRE(sig);
        CHECK(ldns_rr_get_type(sig.get()) == LDNS_RR_TYPE_RRSIG);
        CHECK(ldns_rdf2native_int16(ldns_rr_rdf(sig.get(), 6)) == key.tag);
        CHECK(ldns_rdf2native_time_t(ldns_rr_rdf(sig.get(), 5)) == validity.inception);
        CHECK(verifies({a.get(), b.get(), c.get()}, sig.get(), key.dnskey.get()));
        // The order a client gets (ms2 first) validates with the same RRSIG.
        CHECK(verifies({b.get(), a.get(), c.get()}, sig.get(), key.dnskey.get()));
        CHECK(verifies({c.get(), b.get(), a.get()}, sig.get(), key.dnskey.get()));
        // A set missing a record (a media server taken out) does not.
        CHECK_FALSE(verifies({a.get(), b.get()}, sig.get(), key.dnskey.get()));
        // Records of two types are not an RRset: nothing is signed.
        auto other = rr("proxy-a.example.com. 60 IN A 192.0.2.1");
        CHECK_FALSE(dnssec::sign_rrset({a.get(), other.get()}, key, validity));
        CHECK_FALSE(dnssec::sign_rrset({}, key, validity));
    }
}
