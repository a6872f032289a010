// Zone transfers without sockets: the responder as a function of snapshot and
// request, checked by decoding its messages with ldns (and verifying their
// TSIG chain as a secondary would); the journal, auto serials, config errors.
#include "config/server_config.hpp"
#include "dns/ldns.hpp"
#include "dns/wire.hpp"
#include "query/pipeline.hpp"
#include "support/test_support.hpp"
#include "xfr/tsig.hpp"
#include "zone/persist/serial_store.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <set>

using namespace srvd;

namespace {

const char* secret = "c3J2ZC10ZXN0LWtleS1mb3ItdHJhbnNmZXJzLTAwMDA=";

std::string policy(int extra_records, const std::string& serial = "auto") {
    std::string text =
        "zone: example.net\nsoa: { primary: ns1.example.net, contact: h.example.net, "
        "serial: " +
        serial +
        " }\nnameservers: { ns1: [192.0.2.1] }\n"
        "media_servers: { ms1: { addresses: [192.0.2.11] } }\n"
        "proxies: { sip: { targets: [ms1] } }\nrecords:\n";
    for (int i = 0; i < extra_records; ++i)
        text += "  - \"host" + std::to_string(i) + " IN A 198.51.100." + std::to_string(i % 250) +
                "\"\n";
    return text;
}

struct Fixture {
    test::TempDir dir;
    std::string config;
    Fixture(int records, const std::string& allow = "{ address: 127.0.0.0/8 }") {
        dir.write("zones/example.net.yaml", policy(records));
        config = dir.write("srvd.yaml", std::string("zones: [zones]\nstate_dir: .\n"
                                                    "keys: { k.example: { algorithm: hmac-sha256, "
                                                    "secret: \"") +
                                            secret + "\" } }\ntransfer: { allow: [" + allow +
                                            "], ixfr_history: 2 }\n");
    }
    zone::Loaded load(const zone::Snapshot* previous = nullptr) {
        return zone::load_all(config, {.previous = previous, .write_state = true});
    }
};

using PktPtr = std::unique_ptr<ldns_pkt, decltype(&ldns_pkt_free)>;

std::string make_query(const char* name, ldns_rr_type type, std::uint32_t ixfr_serial = 0,
                       bool sign = false, const char* key = "k.example.", const char* with = secret,
                       const char* algorithm = "hmac-sha256.", bool edns = false) {
    ldns_pkt* p = nullptr;
    REQUIRE(ldns_pkt_query_new_frm_str(&p, name, type, LDNS_RR_CLASS_IN, 0) == LDNS_STATUS_OK);
    ldns_pkt_set_id(p, 4242);
    if (edns) ldns_pkt_set_edns_udp_size(p, 1232);
    if (type == LDNS_RR_TYPE_IXFR) {
        ldns_rr* soa = nullptr;
        const std::string text =
            std::string(name) + " 0 IN SOA a. b. " + std::to_string(ixfr_serial) + " 1 1 1 1";
        REQUIRE(ldns_rr_new_frm_str(&soa, text.c_str(), 0, nullptr, nullptr) == LDNS_STATUS_OK);
        ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, soa);
    }
    if (sign) REQUIRE(ldns_pkt_tsig_sign(p, key, with, 300, algorithm, nullptr) == LDNS_STATUS_OK);
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    REQUIRE(ldns_pkt2wire(&wire, p, &size) == LDNS_STATUS_OK);
    std::string out(reinterpret_cast<char*>(wire), size);
    free(wire);
    ldns_pkt_free(p);
    return out;
}

xfr::Outcome ask(const zone::Snapshot& s, const std::string& q, std::uint8_t last_octet = 1,
                 engine::Protocol protocol = engine::Protocol::tcp) {
    engine::Request r{reinterpret_cast<const std::uint8_t*>(q.data()), q.size(), protocol, {}};
    r.client.family = 4;
    r.client.bytes[0] = 127, r.client.bytes[3] = last_octet;
    std::vector<std::uint8_t> answer(65535);
    engine::AnswerInfo info;
    const query::Result result =
        query::process(s, r, nullptr, 0, answer.data(), answer.size(), info, nullptr);
    REQUIRE(result.action == query::Action::transfer);
    return query::transfer(s, r, info);
}

// Where the query parser finds the TSIG record of a request (0: none).
std::size_t tsig_offset_of(const std::string& q) {
    engine::ParsedQuery parsed;
    REQUIRE(engine::parse_query(reinterpret_cast<const std::uint8_t*>(q.data()), q.size(),
                                parsed) == engine::ParseStatus::ok);
    return parsed.tsig_offset;
}

PktPtr decode(const std::string& m) {
    ldns_pkt* p = nullptr;
    REQUIRE(ldns_wire2pkt(&p, reinterpret_cast<const std::uint8_t*>(m.data()), m.size()) ==
            LDNS_STATUS_OK);
    return PktPtr(p, ldns_pkt_free);
}

// Every record of every message, as text, in order.
std::vector<std::string> records(const xfr::Outcome& o) {
    std::vector<std::string> out;
    for (const auto& m : o.messages) {
        auto p = decode(m);
        CHECK(ldns_pkt_id(p.get()) == 4242);
        CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOERROR);
        const ldns_rr_list* answer = ldns_pkt_answer(p.get());
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i)
            out.push_back(dns::rr_to_text(ldns_rr_list_rr(answer, i)));
    }
    return out;
}

ldns_pkt_rcode rcode_of(const xfr::Outcome& o) {
    REQUIRE(o.messages.size() == 1);
    return ldns_pkt_get_rcode(decode(o.messages[0]).get());
}

} // namespace

TEST_CASE("AXFR: SOA, every record of the default view, SOA, large zones in several messages") {
    Fixture f(3000);
    auto loaded = f.load();
    const auto& version =
        *loaded.snapshot->transfers.at(loaded.snapshot->zones[0].data->apex)->current;
    const auto out = ask(*loaded.snapshot, make_query("example.net.", LDNS_RR_TYPE_AXFR));
    CHECK(out.messages.size() > 2);
    for (const auto& m : out.messages) CHECK(m.size() < 65535);
    const auto rrs = records(out);
    REQUIRE(rrs.size() == version.records.size() + 2);
    CHECK(rrs.front().find("SOA") != std::string::npos);
    CHECK(rrs.back() == rrs.front());
    // Between the SOAs, exactly what the policy says, written out here from
    // the policy text rather than taken from the implementation's own list.
    std::multiset<std::string> expected = {
        "example.net. 300 IN NS ns1.example.net.",
        "ns1.example.net. 300 IN A 192.0.2.1",
        "ms1.example.net. 300 IN A 192.0.2.11",
        "sip.example.net. 300 IN NAPTR 10 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.sip.example.net.",
        "sip.example.net. 300 IN NAPTR 20 10 \"S\" \"SIP+D2T\" \"\" _sip._tcp.sip.example.net.",
        "_sip._udp.sip.example.net. 300 IN SRV 10 0 5060 ms1.example.net.",
        "_sip._tcp.sip.example.net. 300 IN SRV 10 0 5060 ms1.example.net.",
        "sip.example.net. 300 IN A 192.0.2.11",
    };
    for (int i = 0; i < 3000; ++i)
        expected.insert("host" + std::to_string(i) + ".example.net. 300 IN A 198.51.100." +
                        std::to_string(i % 250));
    std::multiset<std::string> got;
    for (auto it = rrs.begin() + 1; it != rrs.end() - 1; ++it) {
        std::string line = *it;
        std::replace(line.begin(), line.end(), '\t', ' ');
        got.insert(line);
    }
    CHECK(got.size() == expected.size());
    std::vector<std::string> missing, extra;
    std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(),
                        std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(),
                        std::back_inserter(extra));
    CHECK_MESSAGE(missing.empty(), "missing from the AXFR: ", missing.size());
    CHECK_MESSAGE(extra.empty(), "not in the policy: ", extra.size());
    for (std::size_t i = 0; i < std::min<std::size_t>(3, missing.size()); ++i) MESSAGE(missing[i]);
    for (std::size_t i = 0; i < std::min<std::size_t>(3, extra.size()); ++i) MESSAGE(extra[i]);
    CHECK(out.log.find("AXFR serial") != std::string::npos);
}

TEST_CASE("a signed AXFR: every message carries a TSIG the secondary can verify in turn") {
    Fixture f(3000, "{ address: 127.0.0.0/8, key: k.example }");
    auto loaded = f.load();
    const std::string q = make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, true);
    const auto out = ask(*loaded.snapshot, q);
    REQUIRE(out.messages.size() > 2);
    auto request = decode(q);
    dns::RdfPtr mac(ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(request.get()), 3)));
    for (std::size_t i = 0; i < out.messages.size(); ++i) {
        const auto& m = out.messages[i];
        auto p = decode(m);
        REQUIRE(ldns_pkt_tsig(p.get()) != nullptr);
        // RFC 8945 5.3.1, the client's side: first over the request MAC, then timers only.
        CHECK(ldns_pkt_tsig_verify_next(p.get(), reinterpret_cast<const std::uint8_t*>(m.data()),
                                        m.size(), "k.example.", secret, mac.get(), i ? 1 : 0));
        mac.reset(ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(p.get()), 3)));
    }
}

TEST_CASE("a transfer to an EDNS query: its first message has the OPT, signed ones the TSIG last") {
    Fixture f(3000, "{ address: 127.0.0.0/8, key: k.example }");
    auto loaded = f.load();
    const auto out = ask(*loaded.snapshot, make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, true,
                                                      "k.example.", secret, "hmac-sha256.", true));
    REQUIRE(out.messages.size() > 2);
    auto first = decode(out.messages[0]);
    CHECK(ldns_pkt_edns(first.get()));
    CHECK(ldns_pkt_tsig(first.get()) != nullptr); // ldns finds it only as the last record
    CHECK_FALSE(ldns_pkt_edns(decode(out.messages[1]).get()));
    // Refused: the OPT too.
    auto refused =
        decode(ask(*loaded.snapshot, make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, false,
                                                "k.example.", secret, "hmac-sha256.", true))
                   .messages.at(0));
    CHECK(ldns_pkt_get_rcode(refused.get()) == LDNS_RCODE_REFUSED);
    CHECK(ldns_pkt_edns(refused.get()));
}

TEST_CASE("transfers are refused without the key, from elsewhere, and over UDP") {
    Fixture f(1, "{ address: 127.0.0.1, key: k.example }, { address: 127.0.0.2 }");
    auto loaded = f.load();
    const auto& s = *loaded.snapshot;
    CHECK(rcode_of(ask(s, make_query("example.net.", LDNS_RR_TYPE_AXFR))) == LDNS_RCODE_REFUSED);
    CHECK(rcode_of(ask(s, make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, true), 3)) ==
          LDNS_RCODE_REFUSED);
    CHECK(records(ask(s, make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, true), 1)).size() > 3);
    CHECK(records(ask(s, make_query("example.net.", LDNS_RR_TYPE_AXFR), 2)).size() > 3);
    CHECK(rcode_of(ask(s,
                       make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, true, "k.example.",
                                  "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC0wMDAwMDA="),
                       1)) == LDNS_RCODE_NOTAUTH);
    CHECK(rcode_of(ask(s, make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, true, "nobody."), 1)) ==
          LDNS_RCODE_NOTAUTH);
    CHECK(rcode_of(ask(s, make_query("example.net.", LDNS_RR_TYPE_AXFR), 2,
                       engine::Protocol::udp)) == LDNS_RCODE_NOTIMPL);
    CHECK(rcode_of(ask(s, make_query("sip.example.net.", LDNS_RR_TYPE_AXFR), 2)) ==
          LDNS_RCODE_NOTAUTH);
    // Without a transfer section, a zone served here is REFUSED, not NOTAUTH.
    f.dir.write("srvd.yaml", "zones: [zones]\nstate_dir: .\n");
    auto plain = f.load();
    CHECK(rcode_of(ask(*plain.snapshot, make_query("example.net.", LDNS_RR_TYPE_AXFR), 2)) ==
          LDNS_RCODE_REFUSED);
}

TEST_CASE("TSIG is verified where the parser found it: a changed byte is BADSIG, a new ID is not") {
    Fixture f(1);
    auto loaded = f.load();
    const std::int64_t now = std::time(nullptr);
    std::string q = make_query("example.net.", LDNS_RR_TYPE_SOA, 0, true);
    auto verdict = [&](const std::string& m) {
        return xfr::verify_request(reinterpret_cast<const std::uint8_t*>(m.data()), m.size(),
                                   tsig_offset_of(m), loaded.snapshot->transfer, now)
            .status;
    };
    CHECK(verdict(q) == xfr::TsigStatus::verified);
    // A forwarder may change the ID; the MAC covers the Original ID (RFC 8945 4.3.3).
    std::string forwarded = q;
    forwarded[0] = 0x12, forwarded[1] = 0x34;
    CHECK(verdict(forwarded) == xfr::TsigStatus::verified);
    // Any other byte the MAC covers: the RD flag, the question, the MAC itself.
    for (std::size_t at : {std::size_t{2}, std::size_t{14}, q.size() - 8}) {
        std::string changed = q;
        changed[at] = static_cast<char>(changed[at] ^ 0x01);
        CHECK(verdict(changed) == xfr::TsigStatus::bad_signature);
    }
    // A MAC one byte short is BADSIG too, not a read past the record.
    CHECK(verdict(make_query("example.net.", LDNS_RR_TYPE_SOA, 0, true, "k.example.",
                             "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC0wMDAwMDA=")) ==
          xfr::TsigStatus::bad_signature);
    CHECK(verdict(make_query("example.net.", LDNS_RR_TYPE_SOA, 0, true, "nobody.")) ==
          xfr::TsigStatus::bad_key);
    // RDATA cut short (RDLENGTH and the message one byte less): unreadable,
    // so the message is corrupt: FORMERR, not signed (RFC 8945 5.2).
    std::string cut = q.substr(0, q.size() - 1);
    const std::size_t rdlength_at = tsig_offset_of(q) + 11 + 8; // owner "k.example." is 11 bytes
    cut[rdlength_at + 1] = static_cast<char>(cut[rdlength_at + 1] - 1);
    CHECK(verdict(cut) == xfr::TsigStatus::malformed);
    const auto out = ask(*loaded.snapshot, cut);
    REQUIRE(out.messages.size() == 1);
    CHECK(ldns_pkt_tsig(decode(out.messages[0]).get()) == nullptr);
    CHECK(ldns_pkt_get_rcode(decode(out.messages[0]).get()) == LDNS_RCODE_FORMERR);
    CHECK(ldns_pkt_ancount(decode(out.messages[0]).get()) == 0);
}

TEST_CASE("TSIG: a request signed outside the fudge is BADTIME") {
    Fixture f(1);
    auto loaded = f.load();
    const std::string q = make_query("example.net.", LDNS_RR_TYPE_SOA, 0, true);
    const auto* wire = reinterpret_cast<const std::uint8_t*>(q.data());
    const std::int64_t now = std::time(nullptr);
    CHECK(xfr::verify_request(wire, q.size(), tsig_offset_of(q), loaded.snapshot->transfer, now)
              .status == xfr::TsigStatus::verified);
    // The fudge is 300 s (RFC 8945 5.2.3): 300 s either way is still in time.
    CHECK(
        xfr::verify_request(wire, q.size(), tsig_offset_of(q), loaded.snapshot->transfer, now + 300)
            .status == xfr::TsigStatus::verified);
    CHECK(
        xfr::verify_request(wire, q.size(), tsig_offset_of(q), loaded.snapshot->transfer, now - 300)
            .status == xfr::TsigStatus::verified);
    CHECK(
        xfr::verify_request(wire, q.size(), tsig_offset_of(q), loaded.snapshot->transfer, now + 301)
            .status == xfr::TsigStatus::bad_time);
    CHECK(
        xfr::verify_request(wire, q.size(), tsig_offset_of(q), loaded.snapshot->transfer, now - 301)
            .status == xfr::TsigStatus::bad_time);
    // A signed ordinary query gets the engine's answer, signed.
    const auto out = ask(*loaded.snapshot, q);
    auto answer = decode(out.messages.at(0));
    CHECK(ldns_pkt_tsig(answer.get()) != nullptr);
    CHECK(ldns_rr_list_rr_count(ldns_pkt_answer(answer.get())) == 1);
}

namespace {

// The TSIG record of a one-message answer: its Error and MAC size fields.
std::pair<std::uint16_t, std::size_t> tsig_error(const xfr::Outcome& o) {
    REQUIRE(o.messages.size() == 1);
    auto p = decode(o.messages[0]);
    CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOTAUTH);
    const ldns_rr* tsig = ldns_pkt_tsig(p.get());
    REQUIRE(tsig != nullptr);
    return {ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5)), ldns_rdf_size(ldns_rr_rdf(tsig, 3)) - 2};
}

} // namespace

TEST_CASE("TSIG with hmac-sha512 and hmac-sha1 keys: transfers signed and verified in turn") {
    Fixture f(1, "{ address: 127.0.0.0/8, key: k512.example }, "
                 "{ address: 127.0.0.0/8, key: k1.example }");
    f.dir.write("srvd.yaml", std::string("zones: [zones]\nstate_dir: .\nkeys:\n"
                                         "  k512.example: { algorithm: hmac-sha512, secret: \"") +
                                 secret + "\" }\n  k1.example: { algorithm: hmac-sha1, secret: \"" +
                                 secret +
                                 "\" }\ntransfer: { allow: [{ address: 127.0.0.0/8, key: "
                                 "k512.example }, { address: 127.0.0.0/8, key: k1.example }] }\n");
    auto loaded = f.load();
    for (const auto& [key, algorithm] :
         {std::pair{"k512.example.", "hmac-sha512."}, std::pair{"k1.example.", "hmac-sha1."}}) {
        CAPTURE(key);
        const std::string q =
            make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, true, key, secret, algorithm);
        auto request = decode(q);
        const auto out = ask(*loaded.snapshot, q);
        REQUIRE(out.messages.size() == 1);
        const std::string& m = out.messages[0];
        auto p = decode(m);
        CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOERROR);
        CHECK(ldns_pkt_ancount(p.get()) > 3);
        CHECK(ldns_pkt_tsig_verify_next(p.get(), reinterpret_cast<const std::uint8_t*>(m.data()),
                                        m.size(), key, secret,
                                        ldns_rr_rdf(ldns_pkt_tsig(request.get()), 3), 0));
        // Signed with the right key name but another algorithm: BADKEY.
        const std::string wrong =
            make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, true, key, secret,
                       std::string(algorithm) == "hmac-sha1." ? "hmac-sha512." : "hmac-sha1.");
        CHECK(tsig_error(ask(*loaded.snapshot, wrong)).first == 17);
    }
}

TEST_CASE("a signed request that is refused gets a signed REFUSED (RFC 8945 5.3)") {
    Fixture f(1, "{ address: 127.0.0.1, key: k.example }");
    auto loaded = f.load();
    // Signed with a good key, from an address the allow list does not name.
    const std::string q = make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, true);
    auto request = decode(q);
    const auto out = ask(*loaded.snapshot, q, 9);
    REQUIRE(out.messages.size() == 1);
    const std::string& m = out.messages[0];
    auto p = decode(m);
    CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_REFUSED);
    REQUIRE(ldns_pkt_tsig(p.get()) != nullptr);
    CHECK(ldns_pkt_tsig_verify_next(p.get(), reinterpret_cast<const std::uint8_t*>(m.data()),
                                    m.size(), "k.example.", secret,
                                    ldns_rr_rdf(ldns_pkt_tsig(request.get()), 3), 0));
}

TEST_CASE("TSIG errors answer NOTAUTH with the error in a TSIG record (RFC 8945 5.3.2)") {
    Fixture f(1, "{ address: 127.0.0.0/8, key: k.example }");
    auto loaded = f.load();
    const auto& s = *loaded.snapshot;
    // BADSIG (16) and BADKEY (17): unsigned, the MAC empty.
    CHECK(tsig_error(ask(s, make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, true, "k.example.",
                                       "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC0wMDAwMDA="))) ==
          std::pair<std::uint16_t, std::size_t>{16, 0});
    CHECK(tsig_error(ask(s, make_query("example.net.", LDNS_RR_TYPE_AXFR, 0, true, "nobody."))) ==
          std::pair<std::uint16_t, std::size_t>{17, 0});
}

TEST_CASE(
    "BADTIME is signed, with the server's time in Other Data, and verifies as a client would") {
    Fixture f(1, "{ address: 127.0.0.0/8, key: k.example }");
    auto loaded = f.load();
    // A request signed now, judged by a clock 10 minutes ahead (the fudge is 5).
    ldns_pkt* p = nullptr;
    REQUIRE(ldns_pkt_query_new_frm_str(&p, "example.net.", LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0) ==
            LDNS_STATUS_OK);
    ldns_pkt_set_id(p, 4242);
    REQUIRE(ldns_pkt_tsig_sign(p, "k.example.", secret, 300, "hmac-sha256.", nullptr) ==
            LDNS_STATUS_OK);
    std::uint8_t* w = nullptr;
    std::size_t n = 0;
    REQUIRE(ldns_pkt2wire(&w, p, &n) == LDNS_STATUS_OK);
    const std::string q(reinterpret_cast<char*>(w), n);
    free(w);
    auto request = decode(q);
    const std::int64_t now = std::time(nullptr) + 600; // our clock, 10 minutes ahead
    auto verdict = xfr::verify_request(reinterpret_cast<const std::uint8_t*>(q.data()), q.size(),
                                       tsig_offset_of(q), loaded.snapshot->transfer, now);
    REQUIRE(verdict.status == xfr::TsigStatus::bad_time);
    ldns_pkt* answer = ldns_pkt_new();
    ldns_pkt_set_id(answer, 4242);
    ldns_pkt_set_qr(answer, true);
    ldns_pkt_set_rcode(answer, LDNS_RCODE_NOTAUTH);
    REQUIRE(ldns_pkt2wire(&w, answer, &n) == LDNS_STATUS_OK);
    const std::string a = xfr::add_error_tsig({reinterpret_cast<char*>(w), n}, verdict, now);
    REQUIRE(!a.empty());
    free(w);
    ldns_pkt_free(answer);
    ldns_pkt_free(p);
    auto got = decode(a);
    const ldns_rr* tsig = ldns_pkt_tsig(got.get());
    REQUIRE(tsig != nullptr);
    CHECK(ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5)) == 18); // BADTIME
    const ldns_rdf* other = ldns_rr_rdf(tsig, 6);
    REQUIRE(ldns_rdf_size(other) == 8);
    std::int64_t said = 0;
    for (int i = 2; i < 8; ++i) said = said << 8 | ldns_rdf_data(other)[i];
    CHECK(said == now);
    // The client checks our MAC over its own request's MAC.
    CHECK(ldns_pkt_tsig_verify_next(got.get(), reinterpret_cast<const std::uint8_t*>(a.data()),
                                    a.size(), "k.example.", secret,
                                    ldns_rr_rdf(ldns_pkt_tsig(request.get()), 3), 0));
    // And a wrong secret does not verify it: the MAC is real.
    CHECK_FALSE(ldns_pkt_tsig_verify_next(
        got.get(), reinterpret_cast<const std::uint8_t*>(a.data()), a.size(), "k.example.",
        "b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldC0wMDAwMDA=",
        ldns_rr_rdf(ldns_pkt_tsig(request.get()), 3), 0));
}

TEST_CASE(
    "a signed UDP answer its TSIG would push past 512 bytes: the question alone, TC, signed") {
    Fixture f(0);
    std::string text = policy(0);
    for (int i = 0; i < 26; ++i) text += "  - \"big IN A 198.51.100." + std::to_string(i) + "\"\n";
    f.dir.write("zones/example.net.yaml", text);
    auto loaded = f.load();
    const std::string q = make_query("big.example.net.", LDNS_RR_TYPE_A, 0, true); // no EDNS: 512
    auto request = decode(q);
    const ldns_rdf* request_mac = ldns_rr_rdf(ldns_pkt_tsig(request.get()), 3);
    const auto udp = ask(*loaded.snapshot, q, 1, engine::Protocol::udp);
    REQUIRE(udp.messages.size() == 1);
    const std::string& m = udp.messages[0];
    CHECK(m.size() <= 512);
    auto p = decode(m);
    CHECK(ldns_pkt_tc(p.get()));
    CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOERROR);
    CHECK(ldns_pkt_ancount(p.get()) == 0);
    CHECK(ldns_pkt_qdcount(p.get()) == 1);
    CHECK(ldns_pkt_tsig_verify_next(p.get(), reinterpret_cast<const std::uint8_t*>(m.data()),
                                    m.size(), "k.example.", secret, request_mac, 0));
    // Over TCP the whole answer, signed.
    const auto tcp = ask(*loaded.snapshot, q, 1, engine::Protocol::tcp);
    REQUIRE(tcp.messages.size() == 1);
    auto whole = decode(tcp.messages[0]);
    CHECK(ldns_pkt_ancount(whole.get()) == 26);
    CHECK_FALSE(ldns_pkt_tc(whole.get()));
    CHECK(ldns_pkt_tsig_verify_next(whole.get(),
                                    reinterpret_cast<const std::uint8_t*>(tcp.messages[0].data()),
                                    tcp.messages[0].size(), "k.example.", secret, request_mac, 0));
    // The engine's answer byte for byte, ARCOUNT one more, the TSIG after it:
    // signing does not rebuild the message.
    engine::Request r{reinterpret_cast<const std::uint8_t*>(q.data()), q.size(),
                      engine::Protocol::tcp, test::client_address("127.0.0.1")};
    std::vector<std::uint8_t> out(65535);
    const std::size_t size = engine::answer_query(*loaded.snapshot, r, out.data(), out.size());
    REQUIRE(size > 0);
    const std::string& signed_answer = tcp.messages[0];
    REQUIRE(signed_answer.size() > size);
    CHECK(std::memcmp(out.data(), signed_answer.data(), 10) == 0);
    CHECK(std::memcmp(out.data() + 12, signed_answer.data() + 12, size - 12) == 0);
    CHECK(dns::get16(reinterpret_cast<const std::uint8_t*>(signed_answer.data()) + 10) ==
          dns::get16(out.data() + 10) + 1);
}

TEST_CASE("IXFR: the journal's changes in RFC 1995 layout, AXFR when it does not reach back") {
    Fixture f(2);
    auto v1 = f.load();
    const std::uint32_t s1 = v1.snapshot->transfers.begin()->second->current->serial;
    f.dir.write("zones/example.net.yaml", policy(3)); // host2 added
    auto v2 = f.load(v1.snapshot.get());
    const std::uint32_t s2 = v2.snapshot->transfers.begin()->second->current->serial;
    CHECK(zone::serial_newer(s2, s1));
    REQUIRE(v2.notify.size() == 1);
    CHECK(v2.notify[0].second == s2);
    f.dir.write("zones/example.net.yaml", policy(2)); // host2 removed again
    auto v3 = f.load(v2.snapshot.get());
    const std::uint32_t s3 = v3.snapshot->transfers.begin()->second->current->serial;

    auto rrs = records(ask(*v3.snapshot, make_query("example.net.", LDNS_RR_TYPE_IXFR, s1)));
    // current SOA, (s1 SOA, -, s2 SOA, +host2), (s2 SOA, -host2, s3 SOA, -), current SOA
    REQUIRE(rrs.size() == 8);
    auto serial_of = [](const std::string& soa) { return soa.substr(0, soa.rfind(' ')); };
    CHECK(rrs[1].find(" " + std::to_string(s1) + " ") != std::string::npos);
    CHECK(rrs[3].rfind("host2.example.net.", 0) == 0);
    CHECK(rrs[4].find(" " + std::to_string(s2) + " ") != std::string::npos);
    CHECK(rrs[5].rfind("host2.example.net.", 0) == 0);
    CHECK(serial_of(rrs[0]) == serial_of(rrs[7]));

    rrs = records(ask(*v3.snapshot, make_query("example.net.", LDNS_RR_TYPE_IXFR, s3)));
    CHECK(rrs.size() == 1); // up to date
    // A secondary whose serial is ahead of ours (a primary restored from an
    // old backup): the current SOA alone, not a transfer that would go back.
    rrs = records(ask(*v3.snapshot, make_query("example.net.", LDNS_RR_TYPE_IXFR, s3 + 10)));
    REQUIRE(rrs.size() == 1);
    CHECK(rrs[0].find(" " + std::to_string(s3) + " ") != std::string::npos);
    const std::size_t full = v3.snapshot->transfers.begin()->second->current->records.size() + 2;
    CHECK(
        records(ask(*v3.snapshot, make_query("example.net.", LDNS_RR_TYPE_IXFR, s1 - 5))).size() ==
        full);
    // Over UDP, IXFR gets the current SOA: the client retries over TCP.
    CHECK(records(ask(*v3.snapshot, make_query("example.net.", LDNS_RR_TYPE_IXFR, s1), 1,
                      engine::Protocol::udp))
              .size() == 1);

    // ixfr_history: 2 keeps two changes; a third pushes out the first.
    f.dir.write("zones/example.net.yaml", policy(4));
    auto v4 = f.load(v3.snapshot.get());
    CHECK(v4.snapshot->transfers.begin()->second->journal.size() == 2);
    CHECK(records(ask(*v4.snapshot, make_query("example.net.", LDNS_RR_TYPE_IXFR, s1))).size() ==
          v4.snapshot->transfers.begin()->second->current->records.size() + 2);
    // current SOA, (s2 SOA, -host2, s3 SOA), (s3 SOA, s4 SOA, +host2, +host3), current SOA
    CHECK(records(ask(*v4.snapshot, make_query("example.net.", LDNS_RR_TYPE_IXFR, s2))).size() ==
          9);
}

TEST_CASE("soa.serial: auto: YYYYMMDDnn, kept while the content is, never backwards") {
    test::TempDir dir;
    const std::string path = dir.path() + "/state/serials"; // state/ is made on first save
    const std::uint32_t today = 2026112600;
    {
        zone::SerialStore store(path);
        CHECK(store.serial_for("a.", 1, today) == today);
        CHECK(store.serial_for("a.", 1, today) == today);
        CHECK(store.serial_for("a.", 2, today) == today + 1);         // same day: +1
        CHECK(store.serial_for("a.", 3, today + 100) == today + 100); // a new day
        CHECK(store.changed());
        store.save();
    }
    zone::SerialStore again(path);
    CHECK(again.serial_for("a.", 3, today) == today + 100); // restart, same content
    CHECK(again.serial_for("a.", 1, today) == today + 101); // old content, newer serial
    CHECK(!zone::SerialStore(path).changed());
    dir.write("state/serials", "a. 12 nothex\n");
    CHECK_THROWS_WITH_AS([&] { zone::SerialStore broken(path); }(),
                         (path + ":1:1: expected ZONE SERIAL DIGEST").c_str(), config::LoadError);
    CHECK(zone::serial_newer(1, 0xffffffffu)); // RFC 1982 wrap
    CHECK(!zone::serial_newer(0xffffffffu, 1));
}

TEST_CASE("the catalog lists every zone and follows additions") {
    Fixture f(1);
    f.dir.write("srvd.yaml", "zones: [zones]\nstate_dir: .\ncatalog: Catalog.Invalid\n");
    auto ptrs = [](const zone::Snapshot& s) {
        const auto* catalog = s.find_zone("catalog.invalid");
        REQUIRE(catalog != nullptr);
        std::vector<std::string> out;
        for (const auto& [name, node] : catalog->default_view().nodes)
            for (const auto& set : node.rrsets)
                for (const ldns_rr* rr : set.rrs)
                    if (set.type == LDNS_RR_TYPE_PTR || set.type == LDNS_RR_TYPE_TXT)
                        out.push_back(dns::rr_to_text(rr));
        std::sort(out.begin(), out.end());
        return out;
    };
    auto v1 = f.load();
    auto list = ptrs(*v1.snapshot);
    REQUIRE(list.size() == 2);
    CHECK(list[0].find(".zones.catalog.invalid.\t0\tIN\tPTR\texample.net.") != std::string::npos);
    CHECK(list[1] == "version.catalog.invalid.\t0\tIN\tTXT\t\"2\"");
    const auto serial = [](const zone::Loaded& l) {
        return l.snapshot->find_zone("catalog.invalid")->policy.soa.serial;
    };
    f.dir.write("zones/other.yaml",
                "zone: other.example\nsoa: { primary: ns1.other.example, contact: h.other.example, "
                "serial: 1 }\nnameservers: { ns1: [192.0.2.1] }\n");
    auto v2 = f.load(v1.snapshot.get());
    const auto after = ptrs(*v2.snapshot);
    CHECK(after.size() == 3);
    CHECK(zone::serial_newer(serial(v2), serial(v1)));
    // The member label is a hash of the name: the same on every srvd of a fleet.
    CHECK(std::find(after.begin(), after.end(), list[0]) != after.end());
    // A member removed: gone from the catalog, whose serial moves on again.
    std::remove((f.dir.path() + "/zones/other.yaml").c_str());
    auto v3 = f.load(v2.snapshot.get());
    CHECK(ptrs(*v3.snapshot) == list);
    CHECK(zone::serial_newer(serial(v3), serial(v2)));
}

TEST_CASE("transfer settings: errors name the line and column") {
    test::TempDir dir;
    dir.write("zones/example.net.yaml", policy(0, "1"));
    auto error = [&](const std::string& yaml) {
        const auto file = dir.write("srvd.yaml", "zones: [zones]\n" + yaml);
        try {
            config::load_server_config(file);
            return std::string();
        } catch (const config::LoadError& e) {
            return std::string(e.what()).substr(file.size());
        }
    };
    CHECK(error("keys: { k: { algorithm: hmac-sha3, secret: \"YWJj\" } }\n") ==
          ":2:25: keys.k.algorithm: expected hmac-sha256, hmac-sha512, hmac-sha1 or hmac-md5");
    CHECK(error("keys: { k: { algorithm: hmac-sha256, secret: \"not base64!\" } }\n") ==
          ":2:46: keys.k.secret: expected base64 (as tsig-keygen prints)");
    CHECK(error("transfer: { allow: [{ address: 10.0.0.0/33 }] }\n") ==
          ":2:32: transfer.allow.address: expected a prefix such as 192.0.2.0/24 or ::1");
    CHECK(error("transfer: { allow: [{ address: 10.0.0.1, key: nope }] }\n") ==
          ":2:47: transfer.allow.key: unknown key 'nope'");
    CHECK(error("transfer: { notify: [{ address: 10.0.0.1 }] }\n") ==
          ":2:33: transfer.notify.address: expected ADDRESS:PORT such as 192.0.2.53:53");
    CHECK(error("transfer: { allow: [], ixfr: 3 }\n").find("unknown key 'ixfr'") !=
          std::string::npos);
    CHECK(error("keys: { k: { algorithm: hmac-sha256, secret: \"YWJj\" } }\n"
                "transfer: { allow: [{ address: \"::1\", key: K }], notify_timeout: 2s }\n")
              .empty());
}

TEST_CASE(
    "a transfer is counted by the reply that leaves: AXFR NOERROR, not the engine's REFUSED") {
    Fixture f(3);
    auto loaded = f.load();
    const std::string q = make_query("example.net.", LDNS_RR_TYPE_AXFR);
    engine::Request r{reinterpret_cast<const std::uint8_t*>(q.data()), q.size(),
                      engine::Protocol::tcp, test::client_address("127.0.0.1")};
    std::vector<std::uint8_t> out(65535);
    engine::AnswerInfo info;
    metrics::WorkerCounters counters;
    const query::Result result =
        query::process(*loaded.snapshot, r, nullptr, 0, out.data(), out.size(), info, &counters);
    REQUIRE(result.action == query::Action::transfer);
    CHECK(result.size == 0); // the engine wrote nothing for the transfer layer to replace
    // Nothing counted before the transfer layer has answered.
    for (const auto& a : counters.answers[1]) CHECK(a.load() == 0);
    const xfr::Outcome outcome = query::transfer(*loaded.snapshot, r, info);
    REQUIRE(outcome.kind == metrics::TransferKind::axfr);
    query::count_transfer(counters, engine::Protocol::tcp, info, result, outcome);
    CHECK(counters.answers[1][0].load() == 1); // NOERROR
    CHECK(counters.answers[1][5].load() == 0); // REFUSED
    CHECK(counters.transfers[0].load() == 1);  // axfr
    // Refused by transfer.allow: counted REFUSED, once.
    metrics::WorkerCounters refused;
    r.client = test::client_address("192.0.2.99");
    const query::Result again =
        query::process(*loaded.snapshot, r, nullptr, 0, out.data(), out.size(), info, &refused);
    const xfr::Outcome no = query::transfer(*loaded.snapshot, r, info);
    query::count_transfer(refused, engine::Protocol::tcp, info, again, no);
    CHECK(refused.answers[1][5].load() == 1);
    CHECK(refused.answers[1][0].load() == 0);
    CHECK(refused.transfers[2].load() == 1);
}
