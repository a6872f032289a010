// libFuzzer target: arbitrary bytes as a query to the answer engine over a
// compiled snapshot (the example zone and the demo GeoIP database, transfers
// open; or the example zone signed). The first two bytes choose the
// transport, the snapshot and the client address.
// Beyond "no crash, no sanitizer report", every answer must be a message ldns
// can decode, with the query's ID, within the size the transport allows; what
// the engine hands to the transfer layer goes through it the same way, by
// the server's own pipeline (query/pipeline.hpp).
#include "dns/ldns.hpp"
#include "engine/answer_engine.hpp"
#include "query/pipeline.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using namespace srvd;

namespace {

const zone::Snapshot& snapshot() {
    static const std::shared_ptr<const zone::Snapshot> s = [] {
        // Built from the source tree's example configuration.
        return zone::load_all(SRVD_SOURCE "/fuzz/srvd-transfers.yaml").snapshot;
    }();
    return *s;
}

// The example zone signed (keys made by ldns-keygen at start, read, then
// removed): queries with DO reach the signatures made per query (compact
// denial, wildcard proofs) with whatever names the fuzzer invents.
const zone::Snapshot& signed_snapshot() {
    static const std::shared_ptr<const zone::Snapshot> s = [] {
        char dir[] = "/tmp/srvd-fuzz-XXXXXX";
        if (!::mkdtemp(dir)) std::abort();
        const std::string d = dir;
        const std::string make =
            "cd " + d +
            " && ldns-keygen -k -a ECDSAP256SHA256 example.com > ksk &&"
            " ldns-keygen -a ED25519 example.com > zsk &&"
            " { cat " SRVD_SOURCE "/zones/example.com.yaml;"
            " echo \"dnssec: { keys: [$(cat ksk), $(cat zsk)] }\"; } > zone.yaml"
            " && echo 'zones: [zone.yaml]' > srvd.yaml";
        if (std::system(make.c_str()) != 0) std::abort();
        auto loaded = zone::load_all(d + "/srvd.yaml").snapshot;
        [[maybe_unused]] const int removed = std::system(("rm -rf " + d).c_str());
        return loaded;
    }();
    return *s;
}

void check_decodes(const std::uint8_t* answer, std::size_t size,
                   const std::vector<std::uint8_t>& query) {
    if (size < 12 || size > 65535 || answer[0] != query[0] || answer[1] != query[1]) std::abort();
    ldns_pkt* pkt = nullptr;
    if (ldns_wire2pkt(&pkt, answer, size) != LDNS_STATUS_OK) {
        std::fprintf(stderr, "srvd produced an answer ldns cannot decode\n");
        std::abort();
    }
    ldns_pkt_free(pkt);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::uint8_t mode = data[0], client_byte = data[1];
    data += 2;
    size -= 2;
    engine::ClientAddress client;
    if (client_byte & 0x80) {
        client.family = 6;
        client.bytes[0] = 0x20, client.bytes[1] = 0x01, client.bytes[2] = 0x0d,
        client.bytes[3] = 0xb8;
        client.bytes[5] = client_byte & 3;
        client.bytes[15] = 1;
    } else {
        client.family = 4;
        client.bytes[0] = 127, client.bytes[2] = client_byte & 7, client.bytes[3] = 1;
    }
    const auto protocol = mode & 1 ? engine::Protocol::tcp : engine::Protocol::udp;
    // An exact-size copy, so reads past the end trip AddressSanitizer.
    std::vector<std::uint8_t> query(data, data + size);
    std::vector<std::uint8_t> out(65535);
    const engine::Request request{query.data(), query.size(), protocol, client};
    engine::AnswerInfo info;
    const zone::Snapshot& s = mode & 2 ? signed_snapshot() : snapshot();
    const query::Result result =
        query::process(s, request, nullptr, 0, out.data(), out.size(), info, nullptr);
    const std::size_t n = result.size;
    if (result.action == query::Action::drop) return 0;
    if (result.action == query::Action::transfer) {
        for (const auto& m : query::transfer(s, request, info).messages)
            check_decodes(reinterpret_cast<const std::uint8_t*>(m.data()), m.size(), query);
        return 0;
    }
    if (n < 12 || (protocol == engine::Protocol::udp && n > s.udp_payload)) std::abort();
    check_decodes(out.data(), n, query);
    return 0;
}
