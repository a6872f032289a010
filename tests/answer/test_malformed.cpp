// Bad packets: each row is raw bytes and what must come back: nothing, or a
// FORMERR or NOTIMP echoing the ID, with the question and OPT where they
// could be read (RFC 6891 7). None may crash (the fuzzer goes further).
#include "dns/wire.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

using namespace srvd;
using namespace srvd::test;
using Bytes = std::vector<std::uint8_t>;

namespace {

const char* zone_yaml = R"(
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
records: ["www IN A 192.0.2.80"]
)";

Bytes header(std::uint16_t qd, std::uint16_t an = 0, std::uint16_t ns = 0, std::uint16_t ar = 0) {
    return {0xab,
            0xcd,
            0x00,
            0x00,
            std::uint8_t(qd >> 8),
            std::uint8_t(qd),
            std::uint8_t(an >> 8),
            std::uint8_t(an),
            std::uint8_t(ns >> 8),
            std::uint8_t(ns),
            std::uint8_t(ar >> 8),
            std::uint8_t(ar)};
}

Bytes operator+(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

const Bytes www = {3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
const Bytes type_a_in = {0, 1, 0, 1};
const Bytes opt = {0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};

Bytes long_name() {
    Bytes n;
    for (int i = 0; i < 5; ++i) {
        n.push_back(60);
        n.insert(n.end(), 60, 'a');
    }
    n.push_back(0);
    return n;
}

// A query with one OPT carrying `count` ECS options with this payload.
Bytes with_ecs(const Bytes& payload, int count = 1) {
    Bytes options;
    for (int i = 0; i < count; ++i) {
        options.insert(options.end(), {0, 8, 0, static_cast<std::uint8_t>(payload.size())});
        options.insert(options.end(), payload.begin(), payload.end());
    }
    Bytes opt_rr = {0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(options.size())};
    return header(1, 0, 0, 1) + www + type_a_in + opt_rr + options;
}

struct BadCase {
    const char* what;
    Bytes packet;
    int expect; // -1: dropped, else the rcode of the error answer
    // RFC 6891 7: the error echoes the question when it could be read, and
    // carries an OPT when the query's OPT could be found.
    bool question = false, opt = false;
};

} // namespace

TEST_CASE("malformed queries: FORMERR (with the question and OPT found) when a header can be "
          "answered, silence otherwise") {
    auto snapshot = compile_policy(zone_yaml);
    Bytes response_bit = header(1) + www + type_a_in;
    response_bit[2] = 0x80;
    Bytes opt_overrun = header(1, 0, 0, 1) + www + type_a_in + opt;
    opt_overrun[opt_overrun.size() - 1] = 8; // RDLENGTH past the end
    Bytes bad_option = header(1, 0, 0, 1) + www + type_a_in +
                       Bytes{0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 4, 0, 8, 0, 9};

    // A NOTIFY (opcode 4) carrying its SOA in the answer section and an OPT.
    Bytes notify = header(1, 1, 0, 1) + www + Bytes{0, 6, 0, 1} + Bytes{0xc0, 12, 0, 6, 0, 1} +
                   Bytes{0, 0, 0, 0, 0, 0} + opt;
    notify[2] = 4 << 3;
    Bytes status_opcode = header(1, 0, 0, 1) + www + type_a_in + opt;
    status_opcode[2] = 2 << 3;

    const std::vector<BadCase> cases = {
        {"QDCOUNT 0 with an OPT", header(0, 0, 0, 1) + opt, dns::rcode::FORMERR, false, true},
        {"opcode STATUS with an OPT", status_opcode, dns::rcode::NOTIMP, true, true},
        {"NOTIFY with its SOA and an OPT", notify, dns::rcode::NOTIMP, true, true},
        {"empty", {}, -1},
        {"truncated header", {0xab, 0xcd, 0, 0, 0}, -1},
        {"a response, not a query", response_bit, -1},
        {"QDCOUNT 0", header(0), dns::rcode::FORMERR},
        {"QDCOUNT 2", header(2) + www + type_a_in + www + type_a_in, dns::rcode::FORMERR},
        {"ANCOUNT in a query", header(1, 1) + www + type_a_in, dns::rcode::FORMERR, true},
        {"question cut short", header(1) + Bytes{3, 'w', 'w'}, dns::rcode::FORMERR},
        {"no QTYPE/QCLASS", header(1) + www, dns::rcode::FORMERR},
        {"compression pointer in the question", header(1) + Bytes{0xc0, 12} + type_a_in,
         dns::rcode::FORMERR},
        {"compression loop", header(1) + Bytes{1, 'a', 0xc0, 12} + type_a_in, dns::rcode::FORMERR},
        {"reserved label type", header(1) + Bytes{0x41, 'a', 0} + type_a_in, dns::rcode::FORMERR},
        {"name over 255 octets", header(1) + long_name() + type_a_in, dns::rcode::FORMERR},
        {"trailing garbage", header(1) + www + type_a_in + Bytes{1, 2, 3}, dns::rcode::FORMERR,
         true},
        {"ARCOUNT without the record", header(1, 0, 0, 1) + www + type_a_in, dns::rcode::FORMERR,
         true},
        {"OPT RDLENGTH past the end", opt_overrun, dns::rcode::FORMERR, true},
        {"OPT option overruns its RDATA", bad_option, dns::rcode::FORMERR, true, true},
        {"two OPT records", header(1, 0, 0, 2) + www + type_a_in + opt + opt, dns::rcode::FORMERR,
         true, true},
        {"OPT not owned by the root",
         header(1, 0, 0, 1) + www + type_a_in + Bytes{1, 'x', 0} +
             Bytes(opt.begin() + 1, opt.end()),
         dns::rcode::FORMERR, true},
        {"QTYPE OPT", header(1) + www + Bytes{0, 41, 0, 1}, dns::rcode::FORMERR, true},
        {"ECS: unknown family", with_ecs({0, 3, 24, 0, 1, 2, 3}), dns::rcode::FORMERR, true, true},
        {"ECS: IPv4 prefix over 32", with_ecs({0, 1, 33, 0, 1, 2, 3, 4, 5}), dns::rcode::FORMERR,
         true, true},
        {"ECS: scope set in a query", with_ecs({0, 1, 24, 8, 1, 2, 3}), dns::rcode::FORMERR, true,
         true},
        {"ECS: more address bytes than the prefix", with_ecs({0, 1, 16, 0, 1, 2, 3}),
         dns::rcode::FORMERR, true, true},
        {"ECS: fewer address bytes than the prefix", with_ecs({0, 1, 24, 0, 1, 2}),
         dns::rcode::FORMERR, true, true},
        {"ECS: bits set beyond the prefix", with_ecs({0, 1, 23, 0, 1, 2, 3}), dns::rcode::FORMERR,
         true, true},
        {"ECS: too short for its header", with_ecs({0, 1, 24}), dns::rcode::FORMERR, true, true},
        {"ECS: twice", with_ecs({0, 1, 24, 0, 1, 2, 3}, 2), dns::rcode::FORMERR, true, true},
    };
    for (const auto& c : cases) {
        CAPTURE(c.what);
        Response r = ask(*snapshot, c.packet);
        if (c.expect < 0) {
            CHECK(r.wire.empty());
            continue;
        }
        REQUIRE(r.wire.size() >= 12);
        CHECK(dns::get16(r.wire.data() + 4) == (c.question ? 1 : 0));
        CHECK(dns::get16(r.wire.data() + 10) == (c.opt ? 1 : 0));
        CHECK(dns::get16(r.wire.data() + 6) == 0);
        CHECK(dns::get16(r.wire.data() + 8) == 0);
        REQUIRE(r.pkt);
        if (c.question) {
            REQUIRE(ldns_pkt_question(r.pkt));
            CHECK(ldns_rr_list_rr_count(ldns_pkt_question(r.pkt)) == 1);
        }
        if (c.opt) CHECK(ldns_pkt_edns_udp_size(r.pkt) >= 512);
        CHECK(ldns_pkt_get_rcode(r.pkt) == c.expect);
        CHECK(ldns_pkt_id(r.pkt) == 0xabcd);
        CHECK(ldns_pkt_qr(r.pkt));
    }
}

TEST_CASE("well-formed raw packets still answer") {
    auto snapshot = compile_policy(zone_yaml);
    Response plain = ask(*snapshot, header(1) + www + type_a_in);
    REQUIRE(plain.pkt);
    CHECK(plain.section(0).size() == 1);
    Response with_opt = ask(*snapshot, header(1, 0, 0, 1) + www + type_a_in + opt);
    REQUIRE(with_opt.pkt);
    CHECK(with_opt.section(0).size() == 1);
    Bytes unknown_option = header(1, 0, 0, 1) + www + type_a_in +
                           Bytes{0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 6, 0xfd, 0xe9, 0, 2, 7, 7};
    Response ignored = ask(*snapshot, unknown_option);
    REQUIRE(ignored.pkt);
    CHECK(ignored.rcode() == 0);
    CHECK(ignored.section(0).size() == 1);
}
