// The TLS probes' client context: made once per CA file and shared by
// every attempt, made again when the file changes, and a file that cannot
// be used is reported (the probe then says "not sent: CA file ...").
#include "health/tls_client_context.hpp"
#include "support/test_support.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

using namespace srvd;

namespace {

// Two self-signed CA certificates (EC P-256, valid a hundred years), test data only.
const char* ca_a = R"(-----BEGIN CERTIFICATE-----
MIIBlDCCATmgAwIBAgIUK90mxRKHVoTAL/wNjXigsaCWJrkwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTc3J2ZCB1bml0IHRlc3QgQ0EgYTAgFw0yNjEyMDYxMjIwNTZa
GA8yMTI2MTExMjEyMjA1NlowHjEcMBoGA1UEAwwTc3J2ZCB1bml0IHRlc3QgQ0Eg
YTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFq6YvymCOb7g6Ukk0e7qnON4wuy
YZXBX4KFgJt5zBmmsy+fZSE+VM2egRQJ6VHmmmvO5H/LHKRTGk0JSltapiajUzBR
MB0GA1UdDgQWBBSKcg8/WQMxPBJeiqF/eMfTe0TQajAfBgNVHSMEGDAWgBSKcg8/
WQMxPBJeiqF/eMfTe0TQajAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kA
MEYCIQDy8XB7SBp/jwybRDROkaqw9h2kVnk0qYwK752WHYbCWwIhAJQ4M5J3z7dQ
g4xIlXc/VKskucoLcB3zIvKZoEn+eW08
-----END CERTIFICATE-----
)";
const char* ca_b = R"(-----BEGIN CERTIFICATE-----
MIIBkzCCATmgAwIBAgIUL6ovE/Lvk2iYhhYCrsBRR/7kXWEwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTc3J2ZCB1bml0IHRlc3QgQ0EgYjAgFw0yNjEyMDYxMjIwNTZa
GA8yMTI2MTExMjEyMjA1NlowHjEcMBoGA1UEAwwTc3J2ZCB1bml0IHRlc3QgQ0Eg
YjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNVTPz2mGWsd5rW+hsra/gG8ux/t
D3LovhGijNeJ8wxX6tEgHjkPJDdzyE1QVOgy5i0yj8hOTNIzQ7QPrFxTyPejUzBR
MB0GA1UdDgQWBBQkX+0T9byzT67ybvLtqzsOkBOKtTAfBgNVHSMEGDAWgBQkX+0T
9byzT67ybvLtqzsOkBOKtTAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gA
MEUCIChdMOgYG+Iw+X2JQBGgUETySs6izMUviCFue7i9GEEWAiEA1/EZytZBnbBl
kG54kDoyl/yzRbYIEZeZXt5tbjzvUAQ=
-----END CERTIFICATE-----
)";

} // namespace

TEST_CASE("tls client context: one per CA file, made again when the file changes") {
    test::TempDir dir;
    const std::string path = dir.write("ca.pem", ca_a);
    std::string error;
    const std::size_t before = health::tls_client_contexts_made();
    const auto first = health::tls_client_context(path, error);
    REQUIRE(first != nullptr);
    CHECK(health::tls_client_contexts_made() == before + 1);
    // Every later probe shares it while the file is as it was.
    for (int i = 0; i < 100; ++i) CHECK(health::tls_client_context(path, error) == first);
    CHECK(health::tls_client_contexts_made() == before + 1);

    // Another CA written over it (the same size: told apart by its
    // modification time), then one moved in its place (a new inode).
    dir.write("ca.pem", ca_b);
    const auto second = health::tls_client_context(path, error);
    REQUIRE(second != nullptr);
    CHECK(second != first);
    CHECK(health::tls_client_contexts_made() == before + 2);
    const std::string other = dir.write("new.pem", ca_a);
    REQUIRE(::rename(other.c_str(), path.c_str()) == 0);
    const auto third = health::tls_client_context(path, error);
    REQUIRE(third != nullptr);
    CHECK(third != second);
    CHECK(health::tls_client_context(path, error) == third);

    // Unusable: reported, and nothing kept; usable again once mended.
    dir.write("ca.pem", "not a certificate\n");
    error.clear();
    CHECK(health::tls_client_context(path, error) == nullptr);
    CHECK_FALSE(error.empty());
    error.clear();
    CHECK(health::tls_client_context(dir.path() + "/missing.pem", error) == nullptr);
    CHECK(error == "No such file or directory");
    dir.write("ca.pem", ca_a);
    CHECK(health::tls_client_context(path, error) != nullptr);
}

TEST_CASE("tls client context: without a CA file, one context for every probe") {
    std::string error;
    const auto first = health::tls_client_context("", error);
    REQUIRE(first != nullptr);
    const std::size_t made = health::tls_client_contexts_made();
    CHECK(health::tls_client_context("", error) == first);
    CHECK(health::tls_client_contexts_made() == made);
}
