#include "health/probe.hpp"
#include "health/sip_message.hpp"

#include <doctest/doctest.h>

using namespace srvd::health;

TEST_CASE("status_code reads a SIP status line") {
    CHECK(status_code("SIP/2.0 200 OK\r\nVia: x\r\n\r\n") == 200);
    CHECK(status_code("SIP/2.0 503 Service Unavailable\r\n") == 503);
    CHECK(status_code("SIP/2.0 100 Trying\r\n") == 100);
    CHECK(status_code("HTTP/1.1 200 OK\r\n") == 0);
    CHECK(status_code("SIP/2.0 2x0 OK\r\n") == 0);
    CHECK(status_code("SIP/2.0 099 Low\r\n") == 0);
    CHECK(status_code("SIP/2.0 20") == 0);
}

TEST_CASE("the OPTIONS request has the headers RFC 3261 8.1.1 requires") {
    const std::string r = options_request("127.0.0.21:5060", "127.0.0.1:40000", "UDP",
                                          {"z9hG4bKabc", "def", "ghi@srvd"});
    CHECK(r.rfind("OPTIONS sip:127.0.0.21:5060 SIP/2.0\r\n", 0) == 0);
    for (const char* h :
         {"\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKabc", "\r\nMax-Forwards: 70\r\n",
          "\r\nFrom: <sip:srvd@127.0.0.1:40000>;tag=def\r\n", "\r\nTo: <sip:127.0.0.21:5060>\r\n",
          "\r\nCall-ID: ghi@srvd\r\n", "\r\nCSeq: 1 OPTIONS\r\n",
          "\r\nContent-Length: 0\r\n\r\n"}) {
        CAPTURE(h);
        CHECK(r.find(h) != std::string::npos);
    }
}

TEST_CASE("a response counts only when it answers the probe: branch, From tag, Call-ID, CSeq") {
    const ProbeIds ids = new_probe_ids();
    // 128 random bits each, from the kernel: never the same twice.
    const ProbeIds other = new_probe_ids();
    CHECK(ids.branch.size() == 7 + 32);
    CHECK(ids.branch.rfind("z9hG4bK", 0) == 0);
    CHECK(ids.tag.size() == 32);
    CHECK(ids.branch != other.branch);
    CHECK(ids.tag != other.tag);
    CHECK(ids.call_id != other.call_id);
    const auto response = [&](const std::string& branch, const std::string& tag,
                              const std::string& call_id, const std::string& cseq) {
        return "SIP/2.0 503 Service Unavailable\r\n"
               "Via: SIP/2.0/UDP 127.0.0.1:40000;branch=" +
               branch +
               ";rport=40000;received=127.0.0.1\r\n"
               "From: <sip:srvd@127.0.0.1:40000>;tag=" +
               tag +
               "\r\n"
               "To: <sip:127.0.0.21:5060>;tag=x\r\n"
               "Call-ID: " +
               call_id +
               "\r\n"
               "CSeq: " +
               cseq +
               "\r\n"
               "Content-Length: 0\r\n\r\n";
    };
    // The request's own, as a media server echoes it (SIPp's [last_Via:]...).
    const std::string request = options_request("127.0.0.21:5060", "127.0.0.1:40000", "UDP", ids);
    CHECK(answers(response(ids.branch, ids.tag, ids.call_id, "1 OPTIONS"), ids));
    // Compact header names, other letter case and spacing (RFC 3261 7.3).
    CHECK(answers("SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 127.0.0.1:40000 ;BRANCH=" + ids.branch +
                      ", SIP/2.0/UDP 10.0.0.1\r\nf: <sip:srvd@x>; tag=" + ids.tag +
                      "\r\ni: " + ids.call_id + "\r\ncseq:  1 options\r\n\r\n",
                  ids));
    // A forgery missing any one of them, or none at all, does not.
    CHECK_FALSE(answers(response(other.branch, ids.tag, ids.call_id, "1 OPTIONS"), ids));
    CHECK_FALSE(answers(response(ids.branch, other.tag, ids.call_id, "1 OPTIONS"), ids));
    CHECK_FALSE(answers(response(ids.branch, ids.tag, other.call_id, "1 OPTIONS"), ids));
    CHECK_FALSE(answers(response(ids.branch, ids.tag, ids.call_id, "2 OPTIONS"), ids));
    CHECK_FALSE(answers(response(ids.branch, ids.tag, ids.call_id, "1 INVITE"), ids));
    CHECK_FALSE(answers("SIP/2.0 503 Service Unavailable\r\n\r\n", ids));
    CHECK_FALSE(answers("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:40000\r\n\r\n", ids));
    // Only the top Via counts: ours below another's is a response to someone else.
    CHECK_FALSE(answers("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKzz\r\nVia: "
                        "SIP/2.0/UDP 127.0.0.1;branch=" +
                            ids.branch + "\r\nFrom: <sip:a>;tag=" + ids.tag +
                            "\r\nCall-ID: " + ids.call_id + "\r\nCSeq: 1 OPTIONS\r\n\r\n",
                        ids));
    CHECK(request.find(ids.call_id) != std::string::npos);
}
