// The writer's output is checked by decoding it with ldns.
#include "dns/message_writer.hpp"
#include "dns/name.hpp"
#include "dns/rr.hpp"
#include "dns/wire.hpp"

#include <doctest/doctest.h>

#include <memory>

using namespace srvd::dns;

namespace {

RrPtr rr(const char* text) {
    std::string error;
    auto r = parse_rr(text, nullptr, 300, error);
    REQUIRE_MESSAGE(r, error);
    return r;
}

// header + question + blob, with the blob's patches applied for `qname`.
std::string message(const std::string& qname, const CompiledMessage& m) {
    std::string out(12, '\0');
    out[5] = 1;
    out[7] = static_cast<char>(m.counts[0]);
    out[9] = static_cast<char>(m.counts[1]);
    out[11] = static_cast<char>(m.counts[2]);
    out += qname;
    out += std::string("\x00\x01\x00\x01", 4);
    const std::size_t base = out.size();
    out += m.blob;
    for (const Patch& p : m.patches) {
        const std::uint16_t v = 0xc000 | p.offset(qname.size());
        out[base + p.position] = static_cast<char>(v >> 8);
        out[base + p.position + 1] = static_cast<char>(v);
    }
    return out;
}

std::vector<std::string> decode(const std::string& wire, int section) {
    ldns_pkt* pkt = nullptr;
    REQUIRE(ldns_wire2pkt(&pkt, reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()) ==
            LDNS_STATUS_OK);
    ldns_rr_list* list = section == 0   ? ldns_pkt_answer(pkt)
                         : section == 1 ? ldns_pkt_authority(pkt)
                                        : ldns_pkt_additional(pkt);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i)
        out.push_back(rr_to_text(ldns_rr_list_rr(list, i)));
    ldns_pkt_free(pkt);
    return out;
}

} // namespace

TEST_CASE("exact mode: owners point at the question, names compress, SRV targets do not") {
    const auto qname = *name_from_text("_sip._udp.p.example.com.");
    auto w = MessageWriter::for_name(qname);
    auto srv = rr("_sip._udp.p.example.com. 60 IN SRV 10 0 5060 ms1.example.com.");
    auto a = rr("ms1.example.com. 60 IN A 192.0.2.1");
    auto ns = rr("example.com. 60 IN NS ns1.example.com.");
    w.add(Section::answer, srv.get(), true);
    w.add(Section::authority, ns.get(), false);
    w.add(Section::additional, a.get(), false);
    w.end_additional_rrset();
    CompiledMessage m = w.finish(0, true);
    CHECK(m.patches.empty());
    // SRV: 2 (owner ptr) + 10 + 6 + 17 (ms1.example.com. in full)
    CHECK(m.blob.substr(0, 2) == std::string("\xc0\x0c", 2));
    CHECK(m.blob.size() == 35 + (2 + 10 + 6) + (2 + 10 + 4) /* NS: 2+10+ "ns1"+ptr, A: ptr+10+4 */);
    const std::string wire = message(qname, m);
    CHECK(decode(wire, 0) ==
          std::vector<std::string>{
              "_sip._udp.p.example.com.\t60\tIN\tSRV\t10 0 5060 ms1.example.com."});
    CHECK(decode(wire, 1) ==
          std::vector<std::string>{"example.com.\t60\tIN\tNS\tns1.example.com."});
    CHECK(decode(wire, 2) == std::vector<std::string>{"ms1.example.com.\t60\tIN\tA\t192.0.2.1"});
    REQUIRE(m.cuts.size() == 2);
    CHECK(m.cuts[0].arcount == 0);
    CHECK(m.cuts[1].arcount == 1);
    CHECK(m.cuts[1].length == m.blob.size());
}

TEST_CASE("relocatable mode: pointers to the anchor are patched per question") {
    const auto anchor = *name_from_text("example.com.");
    auto w = MessageWriter::for_names_below(anchor);
    auto soa = rr("example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 2 3 4 5");
    w.add(Section::authority, soa.get(), false, {}, 60);
    CompiledMessage m = w.finish(3, true);
    CHECK(m.patches.size() == 3); // owner, MNAME and RNAME suffixes
    for (const char* q : {"x.example.com.", "a.much.longer.name.example.com."}) {
        CAPTURE(q);
        const std::string wire = message(*name_from_text(q), m);
        CHECK(decode(wire, 1) ==
              std::vector<std::string>{
                  "example.com.\t60\tIN\tSOA\tns1.example.com. hostmaster.example.com. 1 2 3 4 5"});
    }
}

TEST_CASE("wildcard owners are the question name whatever its length") {
    auto w = MessageWriter::for_names_below(*name_from_text("wild.example.com."));
    auto txt = rr("*.wild.example.com. 300 IN TXT \"hi\"");
    w.add(Section::answer, txt.get(), true);
    CompiledMessage m = w.finish(0, true);
    const std::string wire = message(*name_from_text("a.b.wild.example.com."), m);
    CHECK(decode(wire, 0) ==
          std::vector<std::string>{"a.b.wild.example.com.\t300\tIN\tTXT\t\"hi\""});
}
