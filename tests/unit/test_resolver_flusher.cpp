// ResolverFlusher in process, with command resolvers (shell scripts the test
// writes): names reach the resolver, changes during an attempt wait and go
// together, a failing or hanging resolver is retried, timed out and given
// up, and when_idle reports each resolver's last result.
#include "flush/resolver_flusher.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <sstream>

using namespace srvd;

namespace {

struct Rig {
    test::TempDir dir;
    boost::asio::io_context io;
    flush::ResolverFlusher flusher{io};

    // A command resolver running `script` (sh) with the names as arguments.
    config::ResolverTarget command(const std::string& name, const std::string& script) {
        const std::string path = dir.write(name + ".sh", "#!/bin/sh\n" + script + "\n");
        ::chmod(path.c_str(), 0755);
        config::ResolverTarget t;
        t.name = name;
        t.type = config::ResolverType::command;
        t.command = {path};
        t.timeout = std::chrono::milliseconds(500);
        t.retries = 1;
        return t;
    }
    // Runs the loop until every resolver is idle (at most 10 s); their report.
    std::string until_idle() {
        std::string report;
        bool idle = false;
        flusher.when_idle([&](const std::string& r) {
            report = r;
            idle = true;
        });
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!idle && std::chrono::steady_clock::now() < end) io.run_one_until(end);
        REQUIRE(idle);
        return report;
    }
    std::string file(const std::string& name) {
        std::ifstream in(dir.path() + "/" + name);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
};

} // namespace

TEST_CASE("resolver flush: the names reach each resolver, changes meanwhile go together") {
    Rig rig;
    // Slow enough that the two later flushes arrive during the first attempt.
    rig.flusher.configure(
        {rig.command("log", "sleep 0.2; echo \"$@\" >>" + rig.dir.path() + "/log")});
    REQUIRE(rig.flusher.enabled());
    rig.flusher.flush({{"_sip._udp.p.example.com.", false}, {"p.example.com.", false}});
    rig.flusher.flush({{"q.example.com.", false}});
    rig.flusher.flush({{"partner.example.", true}, {"q.example.com.", false}});
    CHECK(rig.until_idle() == "resolver log ok\n");
    CHECK(rig.file("log") == "_sip._udp.p.example.com. p.example.com.\n"
                             "*.partner.example. q.example.com.\n");
    const auto lines = rig.flusher.status_lines();
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "log (command): 2 flush(es) of 4 name(s), 0 failed, 0 retried");
    metrics::PrometheusText out;
    rig.flusher.write_metrics(out);
    CHECK(out.text().find("srvd_resolver_flushed_names_total{resolver=\"log\"} 4\n") !=
          std::string::npos);
}

TEST_CASE("resolver flush: a failing resolver is retried then given up, a hung one timed out") {
    Rig rig;
    rig.flusher.configure({rig.command("fails", "echo 'no such zone' >&2; exit 3"),
                           rig.command("hangs", "sleep 30"), rig.command("works", "true")});
    const auto start = std::chrono::steady_clock::now();
    rig.flusher.flush({{"p.example.com.", false}});
    const std::string report = rig.until_idle();
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(report.find("resolver works ok\n") != std::string::npos);
    CHECK(report.find("resolver fails failed: " + rig.dir.path() +
                      "/fails.sh exited with status 3: no such zone\n") != std::string::npos);
    CHECK(report.find("resolver hangs failed: timed out\n") != std::string::npos);
    // Two attempts of the hung one, 500 ms each, 1 s apart; its `sleep` is
    // killed with it (the process group), or the loop would wait 30 s.
    CHECK(took >= std::chrono::milliseconds(1900));
    CHECK(took < std::chrono::seconds(5));
    const auto lines = rig.flusher.status_lines();
    CHECK(lines[0] == "fails (command): 0 flush(es) of 0 name(s), 1 failed, 1 retried; last "
                      "failure: " +
                          rig.dir.path() + "/fails.sh exited with status 3: no such zone");
    // A reload that keeps one resolver keeps its counters; one gone goes.
    rig.flusher.configure({rig.command("works", "true")});
    REQUIRE(rig.flusher.status_lines().size() == 1);
    CHECK(rig.flusher.status_lines()[0].find("works (command): 1 flush(es)") == 0);
    rig.flusher.configure({});
    CHECK_FALSE(rig.flusher.enabled());
}

TEST_CASE("resolver flush: a reload during a flush does not end a drain --wait early") {
    Rig rig;
    const auto slow = rig.command("slow", "sleep 0.3");
    rig.flusher.configure({slow});
    rig.flusher.flush({{"p.example.com.", false}});
    std::string report;
    bool called = false;
    rig.flusher.when_idle([&](const std::string& r) {
        report = r;
        called = true;
    });
    rig.flusher.configure({slow}); // a reload that keeps the resolver
    rig.io.run_for(std::chrono::milliseconds(100));
    CHECK_FALSE(called); // its flush is still under way
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!called && std::chrono::steady_clock::now() < end) rig.io.run_one_until(end);
    CHECK(report == "resolver slow ok\n");
}
