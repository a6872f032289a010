// What one signature costs: the figure that decides how compact denial of
// existence (RFC 9824: an NSEC at the query name, signed per query) can be
// served, and what a random-name NXDOMAIN flood costs a worker.
//
//   sign_bench KEY_BASE...      key files as ldns-keygen writes them
//
// For each key: ldns_sign_public over a compact-denial NSEC RRset (what the
// load-time signer calls; it allocates), and the bare private-key operation
// through OpenSSL's EVP_DigestSign on the same amount of data (the floor a
// per-query signer on the worker could reach). Prints microseconds per
// signature, each measured for about one second.
#include "dnssec/rrset_signer.hpp"

#include <openssl/evp.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <string>

using namespace srvd;
using Clock = std::chrono::steady_clock;

namespace {

template <typename F> double microseconds_each(F&& f) {
    std::size_t n = 0;
    const auto start = Clock::now();
    auto elapsed = Clock::duration{};
    do {
        for (int i = 0; i < 100; ++i) f(n++);
        elapsed = Clock::now() - start;
    } while (elapsed < std::chrono::seconds(1));
    return std::chrono::duration<double, std::micro>(elapsed).count() / static_cast<double>(n);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: sign_bench KEY_BASE...\n";
        return 2;
    }
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    const dnssec::Validity validity = dnssec::validity_from(now, 14);
    for (int a = 1; a < argc; ++a) {
        const auto keys = dnssec::load_zone_keys("bench.example.", {{argv[a], {}}}, {});
        const dnssec::ZoneKey& key = keys.keys.front();
        // A random-looking name's compact denial: NSEC to \000.name, types RRSIG NSEC NXNAME.
        const double ldns_us = microseconds_each([&](std::size_t i) {
            const std::string name = "r" + std::to_string(i) + "x.bench.example.";
            ldns_rr* nsec = nullptr;
            const std::string text = name + " 3600 IN NSEC \\000." + name + " RRSIG NSEC TYPE128";
            if (ldns_rr_new_frm_str(&nsec, text.c_str(), 3600, nullptr, nullptr) != LDNS_STATUS_OK)
                std::abort();
            dns::RrPtr owned(nsec);
            if (!dnssec::sign_rrset({nsec}, key, validity)) std::abort();
        });
        EVP_PKEY* pkey = ldns_key_evp_key(key.key.get());
        unsigned char data[160] = {};
        unsigned char sig[128];
        const double evp_us = microseconds_each([&](std::size_t i) {
            data[0] = static_cast<unsigned char>(i);
            EVP_MD_CTX* ctx = EVP_MD_CTX_new();
            const EVP_MD* md = key.algorithm == dnssec::ed25519 ? nullptr : EVP_sha256();
            std::size_t size = sizeof sig;
            if (EVP_DigestSignInit(ctx, nullptr, md, nullptr, pkey) != 1 ||
                EVP_DigestSign(ctx, sig, &size, data, sizeof data) != 1)
                std::abort();
            EVP_MD_CTX_free(ctx);
        });
        std::cout << "algorithm " << unsigned(key.algorithm) << " (" << key.file
                  << "): ldns_sign_public " << ldns_us << " us, EVP_DigestSign " << evp_us
                  << " us per signature\n";
    }
    return 0;
}
