#include "engine/query_parser.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

using namespace srvd;
using namespace srvd::engine;

TEST_CASE("parse_query reads header, question and EDNS") {
    auto q = test::make_query("WWW.Example.COM.", 33, {.payload = 4096, .rd = true}, 0x4242);
    ParsedQuery p;
    REQUIRE(parse_query(q.data(), q.size(), p) == ParseStatus::ok);
    CHECK(p.id == 0x4242);
    CHECK(p.rd);
    CHECK(p.qtype == 33);
    CHECK(p.qclass == 1);
    CHECK(p.qname_size == 17);
    CHECK(std::string(reinterpret_cast<char*>(p.qname), p.qname_size) == std::string("\x03www\x07"
                                                                                     "example\x03"
                                                                                     "com\x00",
                                                                                     17));
    CHECK(p.label_count == 3);
    CHECK(p.label_offsets[1] == 4);
    CHECK(p.label_offsets[2] == 12);
    CHECK(p.edns);
    CHECK(p.edns_payload == 4096);
    CHECK(p.edns_version == 0);
    CHECK(p.question_end == 12 + 17 + 4);
}

TEST_CASE("parse_query without EDNS and the root name") {
    auto q = test::make_query(".", 2, {.edns = false});
    ParsedQuery p;
    REQUIRE(parse_query(q.data(), q.size(), p) == ParseStatus::ok);
    CHECK_FALSE(p.edns);
    CHECK(p.qname_size == 1);
    CHECK(p.label_count == 0);
}

TEST_CASE("parse_query: opcodes other than QUERY are NOTIMP") {
    auto q = test::make_query("example.com.", 1);
    q[2] = 4 << 3; // NOTIFY
    ParsedQuery p;
    CHECK(parse_query(q.data(), q.size(), p) == ParseStatus::notimp);
}

TEST_CASE("parse_query never reads past the end, for every prefix of a query") {
    auto q = test::make_query("_sip._udp.proxy-a.example.com.", 33);
    ParsedQuery p;
    for (std::size_t n = 0; n < q.size(); ++n) {
        std::vector<std::uint8_t> cut(q.begin(), q.begin() + n); // exact-size buffer for ASan
        auto status = parse_query(cut.data(), cut.size(), p);
        CHECK(status == (n < 12 ? ParseStatus::drop : ParseStatus::formerr));
    }
}

TEST_CASE(
    "parse_query: an IXFR's authority SOA is skipped, elsewhere it is FORMERR, TSIG is noted") {
    // IXFR example.com with the client's SOA (serial 7) in the authority section.
    const std::uint8_t soa[] = {0xc0, 12, 0, 6, 0, 1, 0, 0, 0, 0, 0, 26, 1, 'a', 0, 1, 'b', 0, 0,
                                0,    0,  7, 0, 0, 0, 1, 0, 0, 0, 1, 0,  0, 0,   1, 0, 0,   0, 1};
    auto q = test::make_query("example.com.", 251, {.edns = false});
    q[9] = 1; // NSCOUNT
    q.insert(q.end(), std::begin(soa), std::end(soa));
    ParsedQuery p;
    CHECK(parse_query(q.data(), q.size(), p) == ParseStatus::ok);
    CHECK_FALSE(p.tsig);
    // The client's serial is read here, once, for the transfer layer.
    CHECK(p.has_ixfr_serial);
    CHECK(p.ixfr_serial == 7);
    q[12 + 13 + 1] = 1; // QTYPE 251 -> 257: an authority section is not for other types
    CHECK(parse_query(q.data(), q.size(), p) == ParseStatus::formerr);
    q[12 + 13 + 1] = 251;
    CHECK(parse_query(q.data(), q.size() - 1, p) == ParseStatus::formerr);

    // A TSIG record in the additional section marks the query for the transfer layer.
    auto s = test::make_query("example.com.", 6, {.edns = false});
    s[11] = 1; // ARCOUNT
    const std::uint8_t tsig[] = {1, 'k', 0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 0};
    s.insert(s.end(), std::begin(tsig), std::end(tsig));
    REQUIRE(parse_query(s.data(), s.size(), p) == ParseStatus::ok);
    CHECK(p.tsig);
    CHECK(p.tsig_offset == 12 + 13 + 4); // right after the question
    CHECK_FALSE(p.has_ixfr_serial);
    // RFC 8945 5.1: TSIG must be the last record; an OPT after it is FORMERR.
    s[11] = 2;
    const std::uint8_t opt[] = {0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 0};
    s.insert(s.end(), std::begin(opt), std::end(opt));
    CHECK(parse_query(s.data(), s.size(), p) == ParseStatus::formerr);
}
