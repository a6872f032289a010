// NOTIFY in process: a real NotifySender on an io_context, and a secondary
// played by a UDP socket the test reads. The NOTIFY names the zone's SOA
// with the AA bit; unanswered, it is sent again; answered (our ID, QR,
// opcode NOTIFY), it stops; stop() abandons one still retrying.
#include "server/notify_sender.hpp"
#include "support/test_support.hpp"

#include <boost/asio/ip/udp.hpp>
#include <doctest/doctest.h>

#include <chrono>

using namespace srvd;
namespace asio = boost::asio;

namespace {

struct Secondary {
    asio::io_context io;
    asio::ip::udp::socket socket{io, {asio::ip::make_address("127.0.0.1"), 0}};
    server::NotifySender sender{io};
    config::TransferConfig config;
    asio::ip::udp::endpoint from;

    Secondary() {
        config.notify.push_back({socket.local_endpoint(), ""});
        config.notify_timeout = std::chrono::milliseconds(100);
        config.notify_retries = 3;
    }
    // The next datagram within `ms` (the sender's loop runs meanwhile, and
    // no longer: its retries must not pile up unread), or empty.
    std::vector<std::uint8_t> next(int ms) {
        std::vector<std::uint8_t> out(512);
        bool got = false;
        socket.async_receive_from(asio::buffer(out), from, [&](auto ec, std::size_t n) {
            if (!ec) out.resize(n), got = true;
        });
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        while (!got && std::chrono::steady_clock::now() < end) io.run_one_until(end);
        if (!got) {
            socket.cancel();
            io.restart();
            io.poll(); // the cancelled receive's handler, before `out` goes
            out.clear();
        }
        io.restart();
        return out;
    }
};

} // namespace

TEST_CASE("NOTIFY: names the zone's SOA, is sent again until answered, then stops") {
    Secondary s;
    s.sender.notify(s.config, "n.example.", 7);
    const auto first = s.next(1000);
    ldns_pkt* pkt = nullptr;
    REQUIRE(ldns_wire2pkt(&pkt, first.data(), first.size()) == LDNS_STATUS_OK);
    CHECK(ldns_pkt_get_opcode(pkt) == LDNS_PACKET_NOTIFY);
    CHECK(ldns_pkt_aa(pkt));
    CHECK_FALSE(ldns_pkt_qr(pkt));
    REQUIRE(ldns_pkt_qdcount(pkt) == 1);
    const ldns_rr* q = ldns_rr_list_rr(ldns_pkt_question(pkt), 0);
    CHECK(ldns_rr_get_type(q) == LDNS_RR_TYPE_SOA);
    char* owner = ldns_rdf2str(ldns_rr_owner(q));
    CHECK(std::string(owner) == "n.example.");
    free(owner);
    ldns_pkt_free(pkt);

    // Unanswered: it comes again after its timeout.
    const auto again = s.next(1000);
    REQUIRE(again.size() == first.size());

    // Answered: our ID, QR set, opcode NOTIFY. Nothing more comes.
    auto answer = again;
    answer[2] |= 0x80;
    s.socket.send_to(asio::buffer(answer), s.from);
    CHECK(s.next(800).empty());
}

TEST_CASE("NOTIFY: an answer with another ID does not stop it, and stop() does") {
    Secondary s;
    s.sender.notify(s.config, "n.example.", 8);
    auto forged = s.next(1000);
    REQUIRE(forged.size() > 12);
    forged[0] ^= 0xff; // not our ID
    forged[2] |= 0x80;
    s.socket.send_to(asio::buffer(forged), s.from);
    CHECK_FALSE(s.next(1000).empty()); // still retrying
    s.sender.stop();
    CHECK(s.next(800).empty());
}
