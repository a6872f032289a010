// The control plane in process: a real Control on a real io_context with
// its change worker, real tcp-connect probes against loopback listeners the
// test opens and closes, and the snapshots it publishes read back through
// the answer engine. Reloads, drains and health changes are applied in the
// order they arrive, none lost, and each command answers only once its
// answers are published.
#include "metrics/registry.hpp"
#include "server/control.hpp"
#include "support/test_support.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <optional>

using namespace srvd;
namespace asio = boost::asio;

namespace {

// A media server's SIP port, as far as a tcp-connect probe can tell.
struct Listener {
    asio::io_context& io;
    asio::ip::tcp::acceptor acceptor;
    explicit Listener(asio::io_context& io)
        : io(io), acceptor(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}
    std::uint16_t port() const { return acceptor.local_endpoint().port(); }
};

std::string zone_file(std::uint16_t p1, std::uint16_t p2, const std::string& extra = "") {
    return "zone: a.example\nsoa: { primary: ns1.a.example, contact: h.a.example, serial: 1 }\n"
           "nameservers: { ns1: [192.0.2.1] }\n"
           "health: { probe: tcp-connect, interval: 50ms, timeout: 50ms, down_after: 1, "
           "up_after: 1 }\n"
           "media_servers:\n"
           "  ms1: { addresses: [127.0.0.1], ports: { udp: " +
           std::to_string(p1) + ", tcp: " + std::to_string(p1) +
           " } }\n"
           "  ms2: { addresses: [127.0.0.1], ports: { udp: " +
           std::to_string(p2) + ", tcp: " + std::to_string(p2) +
           " } }\n"
           "proxies: { p: { targets: [ms1, ms2] } }\n"
           "records: [\"www IN A 192.0.2.80\"" +
           extra + "]\n";
}

struct Plane {
    test::TempDir dir;
    asio::io_context io;
    Listener ms1{io}, ms2{io};
    zone::SnapshotHolder holder;
    net::TcpLimits tcp;
    query::SigningQuota signing;
    metrics::Registry registry;
    server::ChangeWorker changes{io};
    std::optional<server::Control> control;

    Plane() {
        dir.write("zones/a.example.yaml", zone_file(ms1.port(), ms2.port()));
        const std::string config = dir.write("srvd.yaml", "zones: [zones]\nstate_dir: state\n");
        const zone::Loaded loaded = changes.run([&] { return zone::load_all(config); });
        holder.publish(loaded.snapshot);
        control.emplace(io, changes, holder, tcp, signing, registry, config, loaded);
        control->start(loaded);
    }
    ~Plane() { control->stop(); }

    std::shared_ptr<const zone::Snapshot> published() const {
        std::shared_ptr<const zone::Snapshot> s;
        std::uint64_t seen = 0;
        holder.refresh(s, seen);
        return s;
    }
    // SRV targets of the proxy in what the workers would answer now.
    std::vector<std::string> targets() const {
        std::vector<std::string> out;
        for (const auto& line :
             test::ask(*published(), "_sip._udp.p.a.example.", LDNS_RR_TYPE_SRV).section(0))
            out.push_back(line.substr(line.rfind(' ') + 1));
        return out;
    }
    // Runs the control loop until `done` holds, for at most 5 s.
    template <class Done> bool run_until(Done done) {
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!done() && std::chrono::steady_clock::now() < end)
            io.run_for(std::chrono::milliseconds(10));
        return done();
    }
};

const std::vector<std::string> both{"ms1.a.example.", "ms2.a.example."};

} // namespace

TEST_CASE("control: a probed server that stops answering leaves the answers, and comes back") {
    Plane p;
    REQUIRE(p.run_until([&] { return p.targets() == both; }));
    const asio::ip::tcp::endpoint at = p.ms1.acceptor.local_endpoint();
    p.ms1.acceptor.close();
    CHECK(p.run_until([&] { return p.targets() == std::vector<std::string>{"ms2.a.example."}; }));
    CHECK(p.control->status(false).text.find("a.example. ms1: down") != std::string::npos);
    p.ms1.acceptor = asio::ip::tcp::acceptor(p.io, at); // listening again on its port
    CHECK(p.run_until([&] { return p.targets() == both; }));
}

TEST_CASE("control: commands answer once their answers are published, in the order they came") {
    Plane p;
    REQUIRE(p.run_until([&] { return p.targets() == both; }));
    // A reload (a new record) and a drain, sent together: the reload is
    // applied first, then the drain on top of it; neither undoes the other.
    p.dir.write("zones/a.example.yaml",
                zone_file(p.ms1.port(), p.ms2.port(), ", \"new IN A 192.0.2.81\""));
    std::vector<std::string> order;
    server::Reply reloaded, drained;
    p.control->reload([&](server::Reply r) {
        order.push_back("reload");
        reloaded = r;
        // Published before the answer: the new record is served.
        CHECK(test::ask(*p.published(), "new.a.example.", LDNS_RR_TYPE_A).section(0).size() == 1);
    });
    p.control->drain("ms1", "", true, true, false, [&](server::Reply r) {
        order.push_back("drain");
        drained = r;
        CHECK(p.targets() == std::vector<std::string>{"ms2.a.example."});
    });
    CHECK(order.empty()); // neither answered from inside the call: the work is on the worker
    REQUIRE(p.run_until([&] { return order.size() == 2; }));
    CHECK(order == std::vector<std::string>{"reload", "drain"});
    CHECK(reloaded.status == 0);
    CHECK(drained.status == 0);
    CHECK(drained.text == "drained a.example. ms1\n");
    CHECK(test::ask(*p.published(), "new.a.example.", LDNS_RR_TYPE_A).section(0).size() == 1);
    CHECK(p.targets() == std::vector<std::string>{"ms2.a.example."});

    // A reload after the drain keeps it; undrain brings ms1 back.
    bool again = false, undrained = false;
    p.control->reload([&](server::Reply) { again = true; });
    p.control->drain("ms1", "", false, true, false, [&](server::Reply) { undrained = true; });
    REQUIRE(p.run_until([&] { return again && undrained; }));
    CHECK(p.targets() == both);
}

TEST_CASE("control: a drained server that answers its probes reads up, and drained apart") {
    Plane p;
    REQUIRE(p.run_until([&] { return p.targets() == both; }));
    bool done = false;
    p.control->drain("ms2", "", true, true, false, [&](server::Reply) { done = true; });
    REQUIRE(p.run_until([&] { return done; }));
    const std::string metrics = p.control->render_metrics();
    CHECK(metrics.find("srvd_media_server_up{zone=\"a.example.\",server=\"ms2\"} 1\n") !=
          std::string::npos);
    CHECK(metrics.find("srvd_media_server_drained{zone=\"a.example.\",server=\"ms2\"} 1\n") !=
          std::string::npos);
    CHECK(metrics.find("srvd_media_server_drained{zone=\"a.example.\",server=\"ms1\"} 0\n") !=
          std::string::npos);
}

TEST_CASE("control: a broken reload answers its errors and keeps what is served") {
    Plane p;
    const auto before = p.published();
    p.dir.write("zones/a.example.yaml", "zone: a.example\nsoa: [\n");
    std::optional<server::Reply> reply;
    p.control->reload([&](server::Reply r) { reply = r; });
    REQUIRE(p.run_until([&] { return reply.has_value(); }));
    CHECK(reply->status == 1);
    CHECK(reply->text.find("a.example.yaml:") != std::string::npos);
    CHECK(p.published() == before);
    CHECK_FALSE(p.control->last_reload_ok());
}

TEST_CASE("control: unknown until probed, and every server down is logged and shown as fail-open") {
    Plane p;
    // Configured, not yet probed: in answers, but status does not call it up.
    CHECK(p.control->status(false).text.find("a.example. ms1: unknown since") != std::string::npos);
    REQUIRE(p.run_until([&] {
        return p.control->status(false).text.find("a.example. ms1: up since") != std::string::npos;
    }));
    p.ms1.acceptor.close();
    p.ms2.acceptor.close();
    REQUIRE(p.run_until([&] {
        return p.control->status(false).text.find(
                   "; all down: serving all (fail-open, all_down: serve-all)") != std::string::npos;
    }));
    CHECK(p.targets() == both); // fail-open: every server rather than none
    CHECK(p.control->status(true).text.find(
              "\"all_down\":\"all down: serving all (fail-open, all_down: serve-all)\"") !=
          std::string::npos);
}

TEST_CASE("control: failures one after the other, returns, a drain and an undrain are all "
          "answered from zones prepared ahead") {
    Plane p;
    const auto has = [&](const std::string& line) {
        return p.control->render_metrics().find(line + "\n") != std::string::npos;
    };
    const auto from = [&](int standby) {
        return has("srvd_health_zone_rebuilds_total{from=\"standby\"} " +
                   std::to_string(standby)) &&
               has("srvd_health_zone_rebuilds_total{from=\"compile\"} 0");
    };
    // Both probed servers answer: the zone is prepared with each one down,
    // and with both down.
    REQUIRE(p.run_until([&] { return p.targets() == both && has("srvd_standby_zones 3"); }));
    const asio::ip::tcp::endpoint at1 = p.ms1.acceptor.local_endpoint();
    const asio::ip::tcp::endpoint at2 = p.ms2.acceptor.local_endpoint();
    p.ms1.acceptor.close();
    CHECK(p.run_until([&] { return p.targets() == std::vector<std::string>{"ms2.a.example."}; }));
    CHECK(from(1));
    // Kept from before: both down, and ms1 back (the zone served until now).
    CHECK(has("srvd_standby_zones 2"));
    // A second failure at once: the pair prepared before the first.
    p.ms2.acceptor.close();
    CHECK(p.run_until([&] { return from(2); }));
    CHECK(p.targets() == both); // every server down: all_down serve-all
    // They come back one by one (listening again on their ports), each
    // return prepared while it was down.
    REQUIRE(p.run_until([&] { return has("srvd_standby_zones 2"); }));
    p.ms1.acceptor = asio::ip::tcp::acceptor(p.io, at1);
    CHECK(p.run_until(
        [&] { return p.targets() == std::vector<std::string>{"ms1.a.example."} && from(3); }));
    REQUIRE(p.run_until([&] { return has("srvd_standby_zones 2"); }));
    p.ms2.acceptor = asio::ip::tcp::acceptor(p.io, at2);
    CHECK(p.run_until([&] { return p.targets() == both && from(4); }));
    // A drain answers as the failure it was prepared for.
    REQUIRE(p.run_until([&] { return has("srvd_standby_zones 3"); }));
    bool drained = false;
    p.control->drain("ms2", "", true, true, false, [&](server::Reply) { drained = true; });
    REQUIRE(p.run_until([&] { return drained; }));
    CHECK(p.targets() == std::vector<std::string>{"ms1.a.example."});
    CHECK(from(5));
    // And its undrain as the return kept from before the drain.
    REQUIRE(p.run_until([&] { return has("srvd_standby_zones 2"); }));
    bool undrained = false;
    p.control->drain("ms2", "", false, true, false, [&](server::Reply) { undrained = true; });
    REQUIRE(p.run_until([&] { return undrained; }));
    CHECK(p.targets() == both);
    CHECK(from(6));
}

TEST_CASE("control: with limits.standby_memory 0 nothing is prepared, and failures compile") {
    Plane p;
    p.dir.write("srvd.yaml", "zones: [zones]\nstate_dir: state\nlimits: { standby_memory: 0 }\n");
    bool reloaded = false;
    p.control->reload([&](server::Reply) { reloaded = true; });
    REQUIRE(p.run_until([&] { return reloaded && p.targets() == both; }));
    const auto has = [&](const std::string& line) {
        return p.control->render_metrics().find(line + "\n") != std::string::npos;
    };
    CHECK(p.run_until([&] { return has("srvd_standby_zones 0"); }));
    p.ms1.acceptor.close();
    CHECK(p.run_until([&] { return p.targets() == std::vector<std::string>{"ms2.a.example."}; }));
    CHECK(has("srvd_health_zone_rebuilds_total{from=\"compile\"} 1"));
    CHECK(has("srvd_standby_zones 0"));
}
