#include "health/sip_probe.hpp"

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
    const std::string r = options_request("127.0.0.21:5060", "127.0.0.1:40000", "UDP", "abc");
    CHECK(r.rfind("OPTIONS sip:127.0.0.21:5060 SIP/2.0\r\n", 0) == 0);
    for (const char* h :
         {"\r\nVia: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKabc", "\r\nMax-Forwards: 70\r\n",
          "\r\nFrom: <sip:srvd@127.0.0.1:40000>;tag=abc\r\n", "\r\nTo: <sip:127.0.0.21:5060>\r\n",
          "\r\nCall-ID: abc@srvd\r\n", "\r\nCSeq: 1 OPTIONS\r\n",
          "\r\nContent-Length: 0\r\n\r\n"}) {
        CAPTURE(h);
        CHECK(r.find(h) != std::string::npos);
    }
}
