// Signed answers: a zone compiled with keys answers a query with the DO bit with the RRSIG of every
// RRset, which ldns verifies against the zone's key, in every ordering a client can get; without DO
// the answer is the unsigned zone's, byte for byte.
#include "answer/signed_zone.hpp"
#include "config/zone_policy.hpp"
#include "dns/wire.hpp"
#include "support/test_support.hpp"
#include "zone/model/zone_builder.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <set>

using namespace srvd;
using namespace srvd::test;

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
        CHECK(verify_section(r.pkt, LDNS_SECTION_ANSWER, z.zsk.get(), z.ksk.get()) >= 1);
        verify_section(r.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get(), z.ksk.get());
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
        CHECK(verify_section(r.pkt, LDNS_SECTION_ANSWER, z.zsk.get(), z.ksk.get()) == 1);
        firsts.insert(r.section(0).front());
    }
    CHECK(firsts.size() == 2); // ms1 first for some clients, ms2 for others
}

namespace {

// The one NSEC of a compact denial's authority section, checked against
// RFC 9824: owner the query name, next name "\000." and the query name, the
// types `bitmap` names; its RRSIG (and the SOA's) verify with the ZSK.
void check_compact_denial(const SignedZone& z, const std::string& qname, std::uint16_t qtype,
                          const std::string& bitmap) {
    CAPTURE(qname);
    QueryOptions dnssec;
    dnssec.dnssec_ok = true;
    auto r = ask(*z.signed_, qname, qtype, dnssec);
    REQUIRE(r.pkt);
    CHECK(r.rcode() == dns::rcode::NOERROR); // NXDOMAIN too: "the name exists, with no data"
    CHECK(r.section(0).empty());
    CHECK(verify_section(r.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get(), z.ksk.get()) ==
          2); // SOA, NSEC
    ldns_rr_list* nsecs =
        ldns_pkt_rr_list_by_type(r.pkt, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);
    REQUIRE(nsecs);
    REQUIRE(ldns_rr_list_rr_count(nsecs) == 1);
    const ldns_rr* nsec = ldns_rr_list_rr(nsecs, 0);
    // Compared in lowercase: the owner is written as the question was asked.
    std::string owner = dns::rdf_to_text(ldns_rr_owner(nsec));
    std::transform(owner.begin(), owner.end(), owner.begin(), ::tolower);
    std::string lower = qname;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    CHECK(owner == lower);
    CHECK(dns::rdf_to_text(ldns_rr_rdf(nsec, 0)) == "\\000." + lower);
    CHECK(dns::rdf_to_text(ldns_rr_rdf(nsec, 1)) == bitmap);
    ldns_rr_list_deep_free(nsecs);
    // Without DO the answer is the unsigned zone's.
    CHECK(ask(*z.signed_, qname, qtype).wire == ask(*z.plain, qname, qtype).wire);
}

} // namespace

TEST_CASE("signed zone: compact denial (RFC 9824) for a missing name, a missing type and an ENT") {
    for (const std::string zsk : {"", "ED25519", "ECDSAP256SHA256"}) {
        CAPTURE(zsk);
        SignedZone z(zsk);
        // Signed per query: any name, any case.
        check_compact_denial(z, "nothing-here.example.com.", dns::type::A, "RRSIG NSEC TYPE128 ");
        check_compact_denial(z, "Deep.Missing.Example.COM.", dns::type::SRV, "RRSIG NSEC TYPE128 ");
        // Compiled: the types present at the name.
        check_compact_denial(z, "www.example.com.", dns::type::TXT, "A RRSIG NSEC ");
        check_compact_denial(z, "_udp.proxy-a.example.com.", dns::type::A, "RRSIG NSEC ");
        check_compact_denial(z, "example.com.", dns::type::MX,
                             "NS SOA RRSIG NSEC DNSKEY CDS CDNSKEY ");
    }
}

TEST_CASE("signed zone: a compact denial below a proxy name is cached no longer than the proxy") {
    // The NSEC signed per query carries its SOA's TTL: below `own`, the
    // proxy's 60 s (not the zone's 300 s negative TTL), so a validator that
    // keeps the NSEC (RFC 8198) cannot outlast the proxy's answers.
    std::string yaml = signed_zone_yaml;
    const std::string proxies = "proxies:\n";
    yaml.insert(yaml.find(proxies) + proxies.size(), "  own: { targets: [ms1], ttl: 60 }\n");
    SignedZone z("", yaml);
    QueryOptions dnssec;
    dnssec.dnssec_ok = true;
    for (const auto& [qname, ttl] :
         std::vector<std::pair<std::string, std::uint32_t>>{{"missing.own.example.com.", 60},
                                                            {"deeper.missing.own.example.com.", 60},
                                                            {"missing.example.com.", 300}}) {
        CAPTURE(qname);
        auto r = ask(*z.signed_, qname, dns::type::A, dnssec);
        REQUIRE(r.pkt);
        CHECK(verify_section(r.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get(), z.ksk.get()) == 2);
        const ldns_rr_list* authority = ldns_pkt_authority(r.pkt);
        REQUIRE(ldns_rr_list_rr_count(authority) == 4); // SOA, NSEC and their RRSIGs
        for (std::size_t i = 0; i < 4; ++i)
            CHECK(ldns_rr_ttl(ldns_rr_list_rr(authority, i)) == ttl);
    }
}

TEST_CASE("signed zone: the apex publishes DNSKEY, CDS and CDNSKEY, signed by the KSK (RFC 7344 "
          "4.1)") {
    SignedZone z("ECDSAP256SHA256");
    const int ksk = ldns_calc_keytag(z.ksk.get()), zsk = ldns_calc_keytag(z.zsk.get());
    QueryOptions dnssec;
    dnssec.dnssec_ok = true;
    auto r = ask(*z.signed_, "example.com.", dns::type::DNSKEY, dnssec);
    REQUIRE(r.pkt);
    CHECK(r.section(0).size() == 3); // KSK, ZSK and the KSK's RRSIG
    CHECK(verify_section(r.pkt, LDNS_SECTION_ANSWER, z.ksk.get()) == 1);
    CHECK(signer_tags(r) == std::set<int>{ksk});
    for (std::uint16_t type : {std::uint16_t{59}, std::uint16_t{60}}) { // CDS, CDNSKEY
        auto c = ask(*z.signed_, "example.com.", type, dnssec);
        REQUIRE(c.pkt);
        CHECK(c.section(0).size() == 2); // one record for the one KSK, and the KSK's RRSIG
        CHECK(verify_section(c.pkt, LDNS_SECTION_ANSWER, z.ksk.get()) == 1);
        CHECK(signer_tags(c) == std::set<int>{ksk});
    }
    // Everything else is the ZSK's.
    CHECK(signer_tags(ask(*z.signed_, "example.com.", dns::type::SOA, dnssec)) ==
          std::set<int>{zsk});
    // An unsigned zone has none of them.
    CHECK(ask(*z.plain, "example.com.", dns::type::DNSKEY).section(0).empty());
}

TEST_CASE("signed zone: a KSK and a ZSK of two algorithms sign every set with both, the per-query "
          "denials too") {
    SignedZone z("ED25519"); // KSK ECDSAP256SHA256, ZSK ED25519
    QueryOptions dnssec;
    dnssec.dnssec_ok = true;
    for (const auto& [name, type] : std::vector<std::pair<std::string, std::uint16_t>>{
             {"example.com.", dns::type::DNSKEY},
             {"example.com.", 59},
             {"example.com.", dns::type::SOA},
             {"_sip._udp.proxy-a.example.com.", dns::type::SRV},
             {"nothing-here.example.com.", dns::type::A},
             {"x.wild.example.com.", dns::type::TXT}}) {
        CAPTURE(name);
        CAPTURE(type);
        auto r = ask(*z.signed_, name, type, dnssec);
        REQUIRE(r.pkt);
        // verify_section checks that both algorithms signed each set.
        CHECK(verify_section(r.pkt, LDNS_SECTION_ANSWER, z.zsk.get(), z.ksk.get()) +
                  verify_section(r.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get(), z.ksk.get()) >=
              1);
    }
}

TEST_CASE("NXNAME is a meta-type: a query for it is FORMERR (RFC 9824 3.5)") {
    SignedZone z;
    CHECK(ask(*z.signed_, "www.example.com.", dns::type::NXNAME).rcode() == dns::rcode::FORMERR);
    CHECK(ask(*z.plain, "www.example.com.", dns::type::NXNAME).rcode() == dns::rcode::FORMERR);
}

namespace {

// The NSEC records of an answer's authority section as "owner next types".
std::vector<std::string> nsecs(const Response& r) {
    std::vector<std::string> out;
    ldns_rr_list* list = ldns_pkt_rr_list_by_type(r.pkt, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);
    for (std::size_t i = 0; list && i < ldns_rr_list_rr_count(list); ++i) {
        const ldns_rr* nsec = ldns_rr_list_rr(list, i);
        out.push_back(dns::rdf_to_text(ldns_rr_owner(nsec)) + " " +
                      dns::rdf_to_text(ldns_rr_rdf(nsec, 0)) + " " +
                      dns::rdf_to_text(ldns_rr_rdf(nsec, 1)));
    }
    ldns_rr_list_deep_free(list);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_CASE("signed zone: a wildcard's answers prove the name itself does not exist") {
    for (const std::string zsk : {"", "ED25519"}) {
        CAPTURE(zsk);
        SignedZone z(zsk);
        QueryOptions dnssec;
        dnssec.dnssec_ok = true;
        // A match: the answer (signed as the wildcard's, RRSIG labels 3) and
        // an NSEC from just after the wildcard to just after the name and
        // its descendants (not "\000.x...", which says x exists), signed
        // for this query.
        auto r = ask(*z.signed_, "x.wild.example.com.", dns::type::TXT, dnssec);
        REQUIRE(r.pkt);
        CHECK(r.rcode() == dns::rcode::NOERROR);
        CHECK(verify_section(r.pkt, LDNS_SECTION_ANSWER, z.zsk.get(), z.ksk.get()) == 1);
        CHECK(verify_section(r.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get(), z.ksk.get()) == 1);
        CHECK(nsecs(r) == std::vector<std::string>{
                              "\\000.*.wild.example.com. x\\000.wild.example.com. RRSIG NSEC "});
        // Deeper, and a first label sorting before "*": the NSEC then starts
        // at the encloser, so it never covers the wildcard.
        auto deep = ask(*z.signed_, "a.%b.wild.example.com.", dns::type::TXT, dnssec);
        REQUIRE(deep.pkt);
        CHECK(verify_section(deep.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get(), z.ksk.get()) == 1);
        CHECK(nsecs(deep) == std::vector<std::string>{
                                 "\\000.wild.example.com. %b\\000.wild.example.com. RRSIG NSEC "});
        // A match without the type: the wildcard's own NSEC (compiled) and
        // the cover (per query), as RFC 4035 3.1.3.4 asks.
        auto nodata = ask(*z.signed_, "y.wild.example.com.", dns::type::A, dnssec);
        REQUIRE(nodata.pkt);
        CHECK(nodata.section(0).empty());
        CHECK(verify_section(nodata.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get(), z.ksk.get()) ==
              3); // SOA, 2 NSEC
        CHECK(nsecs(nodata) ==
              std::vector<std::string>{
                  "*.wild.example.com. \\000.*.wild.example.com. TXT RRSIG NSEC ",
                  "\\000.*.wild.example.com. y\\000.wild.example.com. RRSIG NSEC "});
        // Without DO: the unsigned zone's bytes.
        CHECK(ask(*z.signed_, "y.wild.example.com.", dns::type::A).wire ==
              ask(*z.plain, "y.wild.example.com.", dns::type::A).wire);
    }
}

TEST_CASE("signatures are due past half their lifetime, and a renewal signs from then with the "
          "same keys") {
    SignedZone z;
    const std::int64_t now = std::time(nullptr);
    auto zone = zone::build_zone(config::load_zone_policy(z.dir.path() + "/zone.yaml"));
    REQUIRE(zone->keys);
    CHECK(zone->validity.expiration > now + 13 * 86400);
    CHECK_FALSE(zone::signatures_due(*zone, now));
    // A health rebuild early on keeps the validity (answers already signed
    // stay byte-identical); the keys are not read again.
    auto rebuilt = zone::build_zone(zone->policy, {}, zone.get());
    CHECK(rebuilt->keys == zone->keys);
    CHECK(rebuilt->validity.expiration == zone->validity.expiration);
    // Eight days on (14d lifetime), the signatures are due; a health
    // rebuild still keeps them (renewal also re-signs the transfer
    // version, see renew_signatures), a renewal signs for another 14 days.
    zone->validity = dnssec::validity_from(now - 8 * 86400, 14);
    CHECK(zone::signatures_due(*zone, now));
    rebuilt = zone::build_zone(zone->policy, {}, zone.get());
    CHECK(rebuilt->validity.expiration == zone->validity.expiration);
    rebuilt = zone::build_zone(zone->policy, {}, zone.get(), dnssec::day_start(now));
    CHECK(rebuilt->keys == zone->keys);
    CHECK(rebuilt->validity.expiration == now - now % 86400 + 14 * 86400);
    CHECK_FALSE(zone::signatures_due(*rebuilt, now));
    // An unsigned zone is never due.
    CHECK_FALSE(zone::signatures_due(
        *zone::build_zone(config::load_zone_policy(z.dir.path() + "/plain.yaml")), now));
}

TEST_CASE("a renewal signs the zone and its transfer version again, under a new serial") {
    SignedZone z;
    std::string policy = signed_zone_yaml;
    policy.replace(policy.find("serial: 1"), 9, "serial: auto");
    z.dir.write("zones/example.com.yaml",
                policy + "dnssec: { keys: [../" + z.keys.substr(1, z.keys.size() - 2) + "] }\n");
    const std::string config = z.dir.write(
        "srvd.yaml",
        "zones: [zones]\nstate_dir: .\ntransfer: { allow: [{ address: 127.0.0.0/8 }] }\n");
    const auto first = zone::load_all(config, {.write_state = true});
    const auto& v1 = *first.snapshot->transfers.begin()->second->current;
    std::map<int, int> types;
    for (const ldns_rr* rr : v1.records) ++types[ldns_rr_get_type(rr)];
    CHECK(types[LDNS_RR_TYPE_NSEC] > 5); // a chain over the zone's names
    CHECK(types[LDNS_RR_TYPE_RRSIG] > types[LDNS_RR_TYPE_NSEC]);

    // Loaded again the same day (a restart): signed anew, same validity,
    // so the same automatic serial and nothing for secondaries to fetch.
    const auto again = zone::load_all(config, {.write_state = true});
    CHECK(again.snapshot->transfers.begin()->second->current->serial == v1.serial);

    // Nothing is due now: nothing changes.
    const std::int64_t now = std::time(nullptr);
    auto same = zone::renew_signatures(*first.snapshot, {}, now);
    CHECK(same.notify.empty());
    CHECK(same.snapshot->zones.front().data == first.snapshot->zones.front().data);

    // Eight days on, the zone is signed from then: the answers and the
    // transfer version, whose new serial is NOTIFYed; the IXFR from the old
    // serial is the signatures and nothing else.
    const std::int64_t later = now + 8 * 86400;
    auto renewed = zone::renew_signatures(*first.snapshot, {.write_state = true}, later);
    const auto& t = *renewed.snapshot->transfers.begin()->second;
    CHECK(t.current->serial > v1.serial);
    REQUIRE(renewed.notify.size() == 1);
    CHECK(renewed.notify.front().second == t.current->serial);
    REQUIRE(!t.journal.empty());
    for (const auto* list : {&t.journal.back()->removed, &t.journal.back()->added})
        for (const auto& rr : *list) {
            CAPTURE(dns::rr_to_text(rr.get()));
            CHECK(ldns_rr_get_type(rr.get()) == LDNS_RR_TYPE_RRSIG);
        }
    QueryOptions dnssec;
    dnssec.dnssec_ok = true;
    auto r = ask(*renewed.snapshot, "example.com.", dns::type::SOA, dnssec);
    REQUIRE(r.pkt);
    ldns_rr_list* sigs = ldns_pkt_rr_list_by_type(r.pkt, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER);
    REQUIRE(sigs);
    CHECK(ldns_rdf2native_time_t(ldns_rr_rrsig_inception(ldns_rr_list_rr(sigs, 0))) ==
          later - later % 86400 - 3600);
    ldns_rr_list_deep_free(sigs);
    // Valid from then on (not yet now), SOA serial and all.
    CHECK(verify_section(r.pkt, LDNS_SECTION_ANSWER, z.zsk.get(), z.ksk.get(), later) == 1);
}

TEST_CASE("signed answers too large for a 512-byte buffer shed additional records or set TC, and "
          "come whole over TCP") {
    SignedZone z("ED25519");
    QueryOptions small;
    small.dnssec_ok = true;
    small.payload = 512;
    auto udp = ask(*z.signed_, "proxy-a.example.com.", dns::type::NAPTR, small);
    REQUIRE(udp.pkt);
    CHECK(udp.wire.size() <= 512);
    QueryOptions tcp = small;
    tcp.protocol = engine::Protocol::tcp;
    auto whole = ask(*z.signed_, "proxy-a.example.com.", dns::type::NAPTR, tcp);
    REQUIRE(whole.pkt);
    CHECK_FALSE(whole.flag_tc());
    CHECK(whole.wire.size() > 512);
    CHECK(verify_section(whole.pkt, LDNS_SECTION_ANSWER, z.zsk.get(), z.ksk.get()) == 1);
    CHECK(verify_section(whole.pkt, LDNS_SECTION_ADDITIONAL, z.zsk.get(), z.ksk.get()) >=
          2); // SRV and A sets
    // Over UDP the answer section is whole and signed, or the reply is TC.
    if (!udp.flag_tc())
        CHECK(verify_section(udp.pkt, LDNS_SECTION_ANSWER, z.zsk.get(), z.ksk.get()) == 1);
    CHECK(udp.section(2).size() < whole.section(2).size());
}

TEST_CASE("a health rebuild reuses the signatures of the sets it keeps, and signs only new sets") {
    SignedZone z;
    auto zone = zone::build_zone(config::load_zone_policy(z.dir.path() + "/zone.yaml"));
    const auto before = zone::compile_snapshot({zone});
    const std::size_t cached = zone->signature_cache->by_content.size();
    // ms1 down: proxy-a's SRV and A sets change, the rest stay.
    std::vector<health::ServerState> health(zone->policy.media_servers.size(),
                                            health::ServerHealth::up);
    health[0] = health::ServerHealth::down;
    auto rebuilt = zone::build_zone(zone->policy, health, zone.get());
    CHECK(rebuilt->signature_cache == zone->signature_cache);
    const auto after = zone::compile_snapshot({rebuilt});
    const std::size_t added = zone->signature_cache->by_content.size() - cached;
    CHECK(added >= 1);
    CHECK(added <= 6); // the changed sets only, not the zone's dozens
    QueryOptions dnssec;
    dnssec.dnssec_ok = true;
    // ECDSA signatures differ each time they are made: equal bytes mean reused.
    const auto soa_sig = [&](const zone::Snapshot& s) {
        return ask(s, "example.com.", dns::type::SOA, dnssec).section(0).back();
    };
    CHECK(soa_sig(*before) == soa_sig(*after));
    auto srv = ask(*after, "_sip._udp.proxy-a.example.com.", dns::type::SRV, dnssec);
    REQUIRE(srv.pkt);
    CHECK(verify_section(srv.pkt, LDNS_SECTION_ANSWER, z.zsk.get(), z.ksk.get()) == 1);
    CHECK(srv.section(0).size() == 3); // ms2, ms3 and the RRSIG
}

TEST_CASE("a reload signs only the sets it changed, and other keys or a due renewal sign anew") {
    SignedZone z("ECDSAP256SHA256");
    const std::string config = z.dir.write("srvd.yaml", "zones: [zone.yaml]\n");
    const auto first = zone::load_all(config);
    const auto& was = *first.snapshot->zones.front().data;
    QueryOptions dnssec;
    dnssec.dnssec_ok = true;
    // ECDSA signatures differ each time they are made: equal bytes mean reused.
    const auto sig = [&](const zone::Snapshot& s, const char* name, std::uint16_t type) {
        auto r = ask(s, name, type, dnssec);
        REQUIRE(r.pkt);
        CHECK(verify_section(r.pkt, LDNS_SECTION_ANSWER, z.zsk.get(), z.ksk.get()) == 1);
        return r.section(0).back();
    };
    const auto edit = [&](const std::string& keys) {
        std::string yaml = signed_zone_yaml;
        yaml.replace(yaml.find("192.0.2.80"), 10, "192.0.2.81");
        z.dir.write("zone.yaml", yaml + "dnssec: { keys: " + keys + " }\n");
    };

    edit(z.keys);
    const auto second = zone::load_all(config, {.previous = first.snapshot.get()});
    const auto& now = *second.snapshot->zones.front().data;
    CHECK(now.signature_cache == was.signature_cache);
    CHECK(now.validity.inception == was.validity.inception);
    CHECK(sig(*second.snapshot, "example.com.", dns::type::SOA) ==
          sig(*first.snapshot, "example.com.", dns::type::SOA));
    CHECK(sig(*second.snapshot, "_sip._udp.proxy-a.example.com.", dns::type::SRV) ==
          sig(*first.snapshot, "_sip._udp.proxy-a.example.com.", dns::type::SRV));
    CHECK(sig(*second.snapshot, "www.example.com.", dns::type::A) !=
          sig(*first.snapshot, "www.example.com.", dns::type::A));
    // The old www set's signatures left with it: the cache holds what a
    // load from nothing signs.
    const auto fresh = zone::load_all(config);
    CHECK(now.signature_cache->by_content.size() ==
          fresh.snapshot->zones.front().data->signature_cache->by_content.size());

    // Half the lifetime on, the adopted signatures would be due: none taken.
    auto rebuilt = zone::build_zone(now.policy);
    CHECK_FALSE(zone::adopt_signatures(*rebuilt, now, std::time(nullptr) + 8 * 86400));
    CHECK(zone::adopt_signatures(*rebuilt, now, std::time(nullptr)));

    // Another ZSK signs: nothing of the old cache is taken.
    dns::RrPtr other_zsk;
    const std::string base = z.keygen("-a ECDSAP256SHA256", other_zsk);
    edit("[" + z.keys.substr(1, z.keys.find(',') - 1) + ", " + base + "]");
    const auto third = zone::load_all(config, {.previous = second.snapshot.get()});
    CHECK(third.snapshot->zones.front().data->signature_cache != now.signature_cache);
    auto soa = ask(*third.snapshot, "example.com.", dns::type::SOA, dnssec);
    REQUIRE(soa.pkt);
    CHECK(verify_section(soa.pkt, LDNS_SECTION_ANSWER, other_zsk.get()) == 1);
}

TEST_CASE("with the CO flag a missing name keeps NXDOMAIN beside its NXNAME proof (RFC 9824 5)") {
    SignedZone z;
    QueryOptions dnssec;
    dnssec.dnssec_ok = true;
    // The query's OPT, without options, ends the message: its flags' high
    // byte is the fourth byte from the end. DO is 0x80 there, CO 0x40.
    auto with_co = [](std::vector<std::uint8_t> query) {
        query[query.size() - 4] |= 0x40;
        return query;
    };
    auto r =
        ask(*z.signed_, with_co(make_query("nothing-here.example.com.", dns::type::A, dnssec)));
    REQUIRE(r.pkt);
    CHECK(r.rcode() == dns::rcode::NXDOMAIN);
    CHECK(ldns_pkt_edns_do(r.pkt));
    CHECK((ldns_pkt_edns_z(r.pkt) & 0x4000) != 0); // CO echoed
    CHECK(verify_section(r.pkt, LDNS_SECTION_AUTHORITY, z.zsk.get(), z.ksk.get()) == 2);
    ldns_rr_list* nsec = ldns_pkt_rr_list_by_type(r.pkt, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);
    REQUIRE(nsec);
    CHECK(dns::rdf_to_text(ldns_rr_rdf(ldns_rr_list_rr(nsec, 0), 1)) == "RRSIG NSEC TYPE128 ");
    ldns_rr_list_deep_free(nsec);
    // Without CO: NOERROR, no CO in the reply.
    auto plain = ask(*z.signed_, "nothing-here.example.com.", dns::type::A, dnssec);
    CHECK(plain.rcode() == dns::rcode::NOERROR);
    CHECK((ldns_pkt_edns_z(plain.pkt) & 0x4000) == 0);
    // A wildcard's answer stays NOERROR; CO without DO changes nothing.
    CHECK(ask(*z.signed_, with_co(make_query("x.wild.example.com.", dns::type::TXT, dnssec)))
              .rcode() == dns::rcode::NOERROR);
    QueryOptions edns;
    auto unsigned_co = ask(*z.signed_, with_co(make_query("nothing-here.example.com.", 1, edns)));
    CHECK(unsigned_co.rcode() == dns::rcode::NXDOMAIN);
    CHECK((ldns_pkt_edns_z(unsigned_co.pkt) & 0x4000) == 0);
    CHECK(unsigned_co.wire ==
          ask(*z.plain, with_co(make_query("nothing-here.example.com.", 1, edns))).wire);
}
