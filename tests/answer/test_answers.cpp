// Answer tests: one table row per rule of DESIGN §4 and §8, each a query
// against an inline zone and the exact sections expected back (decoded by
// ldns, not by srvd).
#include "dns/wire.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace srvd;
using namespace srvd::test;
using Lines = std::vector<std::string>;

namespace {

const char* zone_yaml = R"(
zone: example.com
ttl: 300
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1, minimum: 60 }
nameservers:
  ns1: [192.0.2.1]
media_servers:
  ms1: { addresses: [192.0.2.11] }
  ms2: { addresses: [192.0.2.12] }
  ms3: { addresses: [192.0.2.13, "2001:db8::13"], ports: { tls: 5081 } }
regions:
  east: { match: [US-NY] }
  central: { match: [US] }
default_region: central
proxies:
  proxy-a: { targets: [ms1, ms2, ms3] }
  proxy-b: { transports: [udp, tcp, tls], targets: [ms3, ms2, ms1] }
  sip:
    ttl: 60
    targets:
      east: [ms1, ms2, ms3]
      central: [{ms2: 70, ms1: 30}, ms3]
records:
  - "www IN A 192.0.2.80"
  - "alias IN CNAME www"
  - "chain IN CNAME alias"
  - "dangling IN CNAME nothere"
  - "outside IN CNAME www.example.net."
  - "mail IN MX 10 mx"
  - "mx IN A 192.0.2.25"
  - "*.wild IN TXT \"wildcard\""
  - "*.phones IN CNAME sip"
  - "sub IN NS ns.sub"
  - "ns.sub IN A 192.0.2.53"
  - "deep.ent.example.com. IN A 192.0.2.99"
)";

const std::string soa_60 =
    "example.com. 60 IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 1209600 60";

struct Case {
    const char* what;
    const char* qname;
    std::uint16_t qtype;
    int rcode;
    bool aa;
    Lines answer, authority, additional;
};

const std::vector<Case> cases = {
    {"SRV tiers at priority 10, 20, 30 with their addresses",
     "_sip._udp.proxy-b.example.com.",
     dns::type::SRV,
     0,
     true,
     {"_sip._udp.proxy-b.example.com. 300 IN SRV 10 0 5060 ms3.example.com.",
      "_sip._udp.proxy-b.example.com. 300 IN SRV 20 0 5060 ms2.example.com.",
      "_sip._udp.proxy-b.example.com. 300 IN SRV 30 0 5060 ms1.example.com."},
     {},
     {"ms3.example.com. 300 IN A 192.0.2.13", "ms3.example.com. 300 IN AAAA 2001:db8::13",
      "ms2.example.com. 300 IN A 192.0.2.12", "ms1.example.com. 300 IN A 192.0.2.11"}},
    {"per-transport ports: tls uses the server's own tls port",
     "_sips._tcp.proxy-b.example.com.",
     dns::type::SRV,
     0,
     true,
     {"_sips._tcp.proxy-b.example.com. 300 IN SRV 10 0 5081 ms3.example.com.",
      "_sips._tcp.proxy-b.example.com. 300 IN SRV 20 0 5061 ms2.example.com.",
      "_sips._tcp.proxy-b.example.com. 300 IN SRV 30 0 5061 ms1.example.com."},
     {},
     {"ms3.example.com. 300 IN A 192.0.2.13", "ms3.example.com. 300 IN AAAA 2001:db8::13",
      "ms2.example.com. 300 IN A 192.0.2.12", "ms1.example.com. 300 IN A 192.0.2.11"}},
    {"NAPTR per transport, SRV then addresses in additional",
     "proxy-a.example.com.",
     dns::type::NAPTR,
     0,
     true,
     {"proxy-a.example.com. 300 IN NAPTR 10 10 \"S\" \"SIP+D2U\" \"\" "
      "_sip._udp.proxy-a.example.com.",
      "proxy-a.example.com. 300 IN NAPTR 20 10 \"S\" \"SIP+D2T\" \"\" "
      "_sip._tcp.proxy-a.example.com."},
     {},
     // In the order a phone uses them: the first SRV set and its targets'
     // addresses, then the next SRV set (its addresses are already there).
     {"_sip._udp.proxy-a.example.com. 300 IN SRV 10 0 5060 ms1.example.com.",
      "_sip._udp.proxy-a.example.com. 300 IN SRV 20 0 5060 ms2.example.com.",
      "_sip._udp.proxy-a.example.com. 300 IN SRV 30 0 5060 ms3.example.com.",
      "ms1.example.com. 300 IN A 192.0.2.11", "ms2.example.com. 300 IN A 192.0.2.12",
      "ms3.example.com. 300 IN A 192.0.2.13", "ms3.example.com. 300 IN AAAA 2001:db8::13",
      "_sip._tcp.proxy-a.example.com. 300 IN SRV 10 0 5060 ms1.example.com.",
      "_sip._tcp.proxy-a.example.com. 300 IN SRV 20 0 5060 ms2.example.com.",
      "_sip._tcp.proxy-a.example.com. 300 IN SRV 30 0 5060 ms3.example.com."}},
    {"proxy A is the first tier",
     "proxy-a.example.com.",
     dns::type::A,
     0,
     true,
     {"proxy-a.example.com. 300 IN A 192.0.2.11"},
     {},
     {}},
    {"proxy AAAA is the first tier",
     "proxy-b.example.com.",
     dns::type::AAAA,
     0,
     true,
     {"proxy-b.example.com. 300 IN AAAA 2001:db8::13"},
     {},
     {}},
    {"proxy without AAAA in its first tier: the first tier that has one (ms3, third)",
     "proxy-a.example.com.",
     dns::type::AAAA,
     0,
     true,
     {"proxy-a.example.com. 300 IN AAAA 2001:db8::13"},
     {},
     {}},
    {"geo proxy without GeoIP: the default region's tiers and weights (the order within a tier "
     "is per client, see test_geo_answers.cpp; 127.0.0.1 gets ms2 first)",
     "_sip._udp.sip.example.com.",
     dns::type::SRV,
     0,
     true,
     {"_sip._udp.sip.example.com. 60 IN SRV 10 70 5060 ms2.example.com.",
      "_sip._udp.sip.example.com. 60 IN SRV 10 30 5060 ms1.example.com.",
      "_sip._udp.sip.example.com. 60 IN SRV 20 0 5060 ms3.example.com."},
     {},
     {"ms2.example.com. 300 IN A 192.0.2.12", "ms1.example.com. 300 IN A 192.0.2.11",
      "ms3.example.com. 300 IN A 192.0.2.13", "ms3.example.com. 300 IN AAAA 2001:db8::13"}},
    {"media server addresses",
     "ms3.example.com.",
     dns::type::AAAA,
     0,
     true,
     {"ms3.example.com. 300 IN AAAA 2001:db8::13"},
     {},
     {}},
    {"NXDOMAIN with the SOA, TTL capped by its minimum",
     "nothere.example.com.",
     dns::type::A,
     3,
     true,
     {},
     {soa_60},
     {}},
    {"NXDOMAIN below an existing name",
     "x.www.example.com.",
     dns::type::A,
     3,
     true,
     {},
     {soa_60},
     {}},
    {"empty non-terminal of an SRV name: NODATA",
     "_udp.proxy-a.example.com.",
     dns::type::SRV,
     0,
     true,
     {},
     {soa_60},
     {}},
    {"empty non-terminal from records: NODATA",
     "ent.example.com.",
     dns::type::A,
     0,
     true,
     {},
     {soa_60},
     {}},
    {"name that exists without the type: NODATA",
     "www.example.com.",
     dns::type::AAAA,
     0,
     true,
     {},
     {soa_60},
     {}},
    {"out of zone: REFUSED", "www.example.net.", dns::type::A, 5, false, {}, {}, {}},
    {"above the zone: REFUSED", "com.", dns::type::NS, 5, false, {}, {}, {}},
    {"CNAME chain followed inside the zone",
     "chain.example.com.",
     dns::type::A,
     0,
     true,
     {"chain.example.com. 300 IN CNAME alias.example.com.",
      "alias.example.com. 300 IN CNAME www.example.com.", "www.example.com. 300 IN A 192.0.2.80"},
     {},
     {}},
    {"CNAME to a name that does not exist: NXDOMAIN (RFC 6604)",
     "dangling.example.com.",
     dns::type::A,
     3,
     true,
     {"dangling.example.com. 300 IN CNAME nothere.example.com."},
     {soa_60},
     {}},
    {"CNAME out of the zone: the CNAME alone",
     "outside.example.com.",
     dns::type::A,
     0,
     true,
     {"outside.example.com. 300 IN CNAME www.example.net."},
     {},
     {}},
    {"CNAME asked for itself",
     "alias.example.com.",
     dns::type::CNAME,
     0,
     true,
     {"alias.example.com. 300 IN CNAME www.example.com."},
     {},
     {}},
    {"MX with the exchange's address",
     "mail.example.com.",
     dns::type::MX,
     0,
     true,
     {"mail.example.com. 300 IN MX 10 mx.example.com."},
     {},
     {"mx.example.com. 300 IN A 192.0.2.25"}},
    {"wildcard synthesizes the query name",
     "foo.wild.example.com.",
     dns::type::TXT,
     0,
     true,
     {"foo.wild.example.com. 300 IN TXT \"wildcard\""},
     {},
     {}},
    {"wildcard covers several labels",
     "a.b.wild.example.com.",
     dns::type::TXT,
     0,
     true,
     {"a.b.wild.example.com. 300 IN TXT \"wildcard\""},
     {},
     {}},
    {"wildcard without the type: NODATA",
     "foo.wild.example.com.",
     dns::type::A,
     0,
     true,
     {},
     {soa_60},
     {}},
    {"wildcard CNAME to a proxy",
     "desk.phones.example.com.",
     dns::type::A,
     0,
     true,
     {"desk.phones.example.com. 300 IN CNAME sip.example.com.",
      "sip.example.com. 60 IN A 192.0.2.12", "sip.example.com. 60 IN A 192.0.2.11"},
     {},
     {}},
    {"delegation: referral with glue, not authoritative",
     "sub.example.com.",
     dns::type::NS,
     0,
     false,
     {},
     {"sub.example.com. 300 IN NS ns.sub.example.com."},
     {"ns.sub.example.com. 300 IN A 192.0.2.53"}},
    {"below a delegation: referral",
     "host.sub.example.com.",
     dns::type::A,
     0,
     false,
     {},
     {"sub.example.com. 300 IN NS ns.sub.example.com."},
     {"ns.sub.example.com. 300 IN A 192.0.2.53"}},
    {"glue name itself: referral",
     "ns.sub.example.com.",
     dns::type::A,
     0,
     false,
     {},
     {"sub.example.com. 300 IN NS ns.sub.example.com."},
     {"ns.sub.example.com. 300 IN A 192.0.2.53"}},
    {"DS at the delegation is the parent's: NODATA",
     "sub.example.com.",
     dns::type::DS,
     0,
     true,
     {},
     {soa_60},
     {}},
    {"apex NS with the nameserver's address",
     "example.com.",
     dns::type::NS,
     0,
     true,
     {"example.com. 300 IN NS ns1.example.com."},
     {},
     {"ns1.example.com. 300 IN A 192.0.2.1"}},
    {"apex SOA",
     "example.com.",
     dns::type::SOA,
     0,
     true,
     {"example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 3600 600 1209600 60"},
     {},
     {}},
    {"ANY is answered minimally: one RRset (RFC 8482)",
     "www.example.com.",
     dns::type::ANY,
     0,
     true,
     {"www.example.com. 300 IN A 192.0.2.80"},
     {},
     {}},
    {"ANY at a proxy gives its NAPTR set",
     "proxy-a.example.com.",
     dns::type::ANY,
     0,
     true,
     {"proxy-a.example.com. 300 IN NAPTR 10 10 \"S\" \"SIP+D2U\" \"\" "
      "_sip._udp.proxy-a.example.com.",
      "proxy-a.example.com. 300 IN NAPTR 20 10 \"S\" \"SIP+D2T\" \"\" "
      "_sip._tcp.proxy-a.example.com."},
     {},
     {}},
};

} // namespace

TEST_CASE("answer table: DESIGN §4 and §8") {
    auto snapshot = compile_policy(zone_yaml);
    for (const Case& c : cases) {
        INFO(std::string(c.what));
        CAPTURE(c.qname);
        Response r = ask(*snapshot, c.qname, c.qtype);
        REQUIRE(r.pkt != nullptr);
        CHECK(r.rcode() == c.rcode);
        CHECK(r.flag_aa() == c.aa);
        CHECK_FALSE(r.flag_tc());
        CHECK(ldns_pkt_qr(r.pkt));
        CHECK_FALSE(ldns_pkt_ra(r.pkt));
        CHECK(r.section(0) == c.answer);
        CHECK(r.section(1) == c.authority);
        CHECK(r.section(2) == c.additional);
    }
}

TEST_CASE("the question is echoed in the client's letter case, answers still match") {
    auto snapshot = compile_policy(zone_yaml);
    for (const char* name :
         {"PrOxY-b.ExAmPlE.cOm.", "nothere.EXAMPLE.com.", "Foo.Wild.Example.Com."}) {
        CAPTURE(name);
        auto query = make_query(name, dns::type::SRV);
        Response r = ask(*snapshot, query);
        REQUIRE(r.wire.size() > 12 + std::strlen(name));
        // The question section is the client's bytes, unchanged.
        CHECK(std::equal(query.begin() + 12, query.begin() + 12 + std::strlen(name) + 1 + 4,
                         r.wire.begin() + 12));
        REQUIRE(r.pkt != nullptr);
    }
    Response r = ask(*snapshot, "_SIP._UDP.PROXY-B.EXAMPLE.COM.", dns::type::SRV);
    CHECK(r.section(0).size() == 3);
}

TEST_CASE("EDNS: OPT echoed with our payload, BADVERS for other versions, DO echoed") {
    auto snapshot = compile_policy(zone_yaml, 1232);
    Response r = ask(*snapshot, "www.example.com.", dns::type::A, {.payload = 4096});
    REQUIRE(r.pkt);
    CHECK(ldns_pkt_edns(r.pkt));
    CHECK(ldns_pkt_edns_udp_size(r.pkt) == 1232);

    Response bad = ask(*snapshot, "www.example.com.", dns::type::A, {.edns_version = 1});
    REQUIRE(bad.pkt);
    CHECK(bad.rcode() == dns::rcode::BADVERS);
    CHECK(bad.section(0).empty());

    Response plain = ask(*snapshot, "www.example.com.", dns::type::A, {.edns = false});
    REQUIRE(plain.pkt);
    CHECK_FALSE(ldns_pkt_edns(plain.pkt));
    CHECK(plain.section(0).size() == 1);

    // DO (RFC 3225) is echoed: set in the query's OPT, set in the answer's;
    // the OPT is the query's last 11 bytes, DO the top bit of its flags.
    CHECK_FALSE(ldns_pkt_edns_do(r.pkt));
    auto with_do = make_query("www.example.com.", dns::type::A);
    REQUIRE(with_do[with_do.size() - 11 + 2] == dns::type::OPT);
    with_do[with_do.size() - 4] |= 0x80;
    Response echoed = ask(*snapshot, with_do);
    REQUIRE(echoed.pkt);
    CHECK(ldns_pkt_edns_do(echoed.pkt));
    CHECK(echoed.section(0).size() == 1);
}

TEST_CASE("compression keeps answers small") {
    auto snapshot = compile_policy(zone_yaml);
    Response r = ask(*snapshot, "_sip._udp.proxy-b.example.com.", dns::type::SRV, {.edns = false});
    // Owners point at the question; SRV targets stay uncompressed (RFC 2782),
    // address owners point into them.
    CHECK(r.wire.size() < 240);
    CHECK(r.section(2).size() == 4);
}

TEST_CASE("512-byte rule: additional records go first, TC only when the answer does not fit") {
    std::string yaml = zone_yaml;
    yaml += "  - \"big IN TXT \\\"" + std::string(200, 'a') + "\\\"\"\n";
    yaml += "  - \"big IN TXT \\\"" + std::string(200, 'b') + "\\\"\"\n";
    yaml += "  - \"big IN TXT \\\"" + std::string(200, 'c') + "\\\"\"\n";
    auto snapshot = compile_policy(yaml);

    // proxy-b NAPTR is about 700 bytes in full: without EDNS what fits is
    // kept in the order a phone uses it: the first SRV set, its targets'
    // addresses, then the next SRV set…
    Response full = ask(*snapshot, "proxy-b.example.com.", dns::type::NAPTR);
    Response small = ask(*snapshot, "proxy-b.example.com.", dns::type::NAPTR, {.edns = false});
    REQUIRE(full.pkt);
    REQUIRE(small.pkt);
    CHECK(full.wire.size() > 512);
    CHECK(full.section(2).size() == 13);
    CHECK(small.wire.size() <= 512);
    CHECK_FALSE(small.flag_tc());
    CHECK(small.section(0).size() == 3);
    CHECK(small.section(2).size() < 13);
    const auto additional = small.section(2);
    REQUIRE(additional.size() >= 7);
    for (int i = 0; i < 3; ++i)
        CHECK(additional[i].rfind("_sip._udp.proxy-b.example.com. 300 IN SRV", 0) == 0);
    CHECK(additional[3] == "ms3.example.com. 300 IN A 192.0.2.13");
    CHECK(additional[4] == "ms3.example.com. 300 IN AAAA 2001:db8::13");
    CHECK(additional[5] == "ms2.example.com. 300 IN A 192.0.2.12");
    CHECK(additional[6] == "ms1.example.com. 300 IN A 192.0.2.11");
    MESSAGE("proxy-b NAPTR without EDNS: ", small.wire.size(), " bytes, ", additional.size(),
            " additional records");

    Response tc = ask(*snapshot, "big.example.com.", dns::type::TXT, {.edns = false});
    REQUIRE(tc.pkt);
    CHECK(tc.wire.size() <= 512);
    CHECK(tc.flag_tc());
    CHECK(tc.section(0).empty());

    Response tcp = ask(*snapshot, "big.example.com.", dns::type::TXT,
                       {.edns = false, .protocol = engine::Protocol::tcp});
    REQUIRE(tcp.pkt);
    CHECK_FALSE(tcp.flag_tc());
    CHECK(tcp.section(0).size() == 3);

    Response edns = ask(*snapshot, "big.example.com.", dns::type::TXT, {.payload = 1232});
    REQUIRE(edns.pkt);
    CHECK_FALSE(edns.flag_tc());
    CHECK(edns.section(0).size() == 3);
}

TEST_CASE("classes, transfers and opcodes we do not serve") {
    auto snapshot = compile_policy(zone_yaml);
    auto query = make_query("www.example.com.", dns::type::A);
    auto ch = query;
    ch[ch.size() - 11 - 1] = 3; // QCLASS low byte (before the 11-byte OPT): CH
    Response r = ask(*snapshot, ch);
    REQUIRE(r.pkt);
    CHECK(r.rcode() == dns::rcode::REFUSED);

    Response axfr = ask(*snapshot, "example.com.", dns::type::AXFR);
    REQUIRE(axfr.pkt);
    CHECK(axfr.rcode() == dns::rcode::REFUSED);

    auto status = query;
    status[2] = 2 << 3; // opcode STATUS
    Response notimp = ask(*snapshot, status);
    REQUIRE(notimp.pkt);
    CHECK(notimp.rcode() == dns::rcode::NOTIMP);
    CHECK(ldns_pkt_id(notimp.pkt) == 0x1234);
}

TEST_CASE("a referral with 10 in-domain name servers: compressed like NSD's and Knot's, TC when "
          "its glue does not all fit (RFC 9471)") {
    std::string yaml = zone_yaml;
    for (int i = 0; i < 10; ++i) {
        const std::string n = std::to_string(i);
        yaml += "  - \"big IN NS ns" + n + ".big\"\n";
        yaml += "  - \"ns" + n + ".big IN A 192.0.2." + std::to_string(100 + i) + "\"\n";
        yaml += "  - \"ns" + n + ".big IN AAAA 2001:db8::" + std::to_string(100 + i) + "\"\n";
    }
    auto snapshot = compile_policy(yaml);

    // Below the cut: the owners and the NS targets are not in the compiled
    // name table, so they are written below an anchor and compressed per query.
    Response full = ask(*snapshot, "host.big.example.com.", dns::type::A);
    REQUIRE(full.pkt);
    CHECK_FALSE(full.flag_tc());
    CHECK_FALSE(full.flag_aa());
    CHECK(full.section(1).size() == 10);
    CHECK(full.section(2).size() == 20);
    // NSD and Knot: 796 bytes for this referral with EDNS (the same records).
    MESSAGE("10-NS referral with its 20 glue records: ", full.wire.size(), " bytes");
    CHECK(full.wire.size() <= 800);

    // Without EDNS not all 20 glue records fit in 512 bytes: as many as fit,
    // and TC so the resolver asks over TCP.
    Response small = ask(*snapshot, "host.big.example.com.", dns::type::A, {.edns = false});
    REQUIRE(small.pkt);
    CHECK(small.wire.size() <= 512);
    CHECK(small.flag_tc());
    CHECK(small.section(1).size() == 10);
    CHECK(small.section(2).size() < 20);
    MESSAGE("without EDNS: ", small.wire.size(), " bytes, ", small.section(2).size(),
            " glue records, TC");

    // Over TCP all of it fits.
    Response tcp = ask(*snapshot, "host.big.example.com.", dns::type::A,
                       {.edns = false, .protocol = engine::Protocol::tcp});
    REQUIRE(tcp.pkt);
    CHECK_FALSE(tcp.flag_tc());
    CHECK(tcp.section(2).size() == 20);
}
