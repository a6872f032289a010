#include "dnssec/denial_signer.hpp"

#include "dns/wire.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <memory>

namespace srvd::dnssec {
namespace {

using dns::put16;
using dns::put32;

constexpr std::size_t signature_size = 64; // ECDSA P-256 (r, s) and Ed25519 alike
constexpr std::uint8_t ed25519 = 15;       // DNSSEC algorithm number
constexpr std::size_t rr_fixed = 2 + 10;   // owner pointer, type, class, TTL, RDLENGTH
constexpr std::size_t rrsig_fixed = 18;    // RRSIG RDATA before the signer's name
// NSEC type bitmap, window 0 up to type 128: RRSIG (46), NSEC (47), NXNAME (128).
constexpr std::uint8_t nxname_bitmap[] = {0, 17, 0, 0, 0, 0, 0, 0x03, 0,   0,
                                          0, 0,  0, 0, 0, 0, 0, 0,    0x80};
static_assert(dns::type::RRSIG == 46 && dns::type::NSEC == 47 && dns::type::NXNAME == 128);

struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// One DER INTEGER of an ECDSA-Sig-Value, as the fixed 32 bytes DNSSEC
// carries (RFC 6605 4): leading zero dropped, short values padded.
const std::uint8_t* der_integer(const std::uint8_t* p, const std::uint8_t* end,
                                std::uint8_t* out32) noexcept {
    if (end - p < 2 || p[0] != 0x02 || p[1] > end - p - 2) return nullptr;
    std::size_t n = p[1];
    const std::uint8_t* v = p + 2;
    const std::uint8_t* next = v + n;
    while (n > 32 && *v == 0) ++v, --n;
    if (n > 32) return nullptr;
    std::memset(out32, 0, 32 - n);
    std::memcpy(out32 + 32 - n, v, n);
    return next;
}

// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (short form: a
// P-256 signature is at most 72 bytes) to r | s.
bool der_to_raw(const std::uint8_t* der, std::size_t size, std::uint8_t* out) noexcept {
    const std::uint8_t* end = der + size;
    if (size < 2 || der[0] != 0x30 || der[1] != size - 2) return false;
    const std::uint8_t* p = der_integer(der + 2, end, out);
    return p && der_integer(p, end, out + 32) == end;
}

} // namespace

DenialSigner::DenialSigner(evp_pkey_st* key, std::uint8_t algorithm, std::uint16_t key_tag,
                           std::string signer, std::uint32_t ttl, std::uint32_t inception,
                           std::uint32_t expiration)
    : key_(key), algorithm_(algorithm), key_tag_(key_tag), signer_(std::move(signer)), ttl_(ttl),
      inception_(inception), expiration_(expiration) {
    EVP_PKEY_up_ref(key_);
}

DenialSigner::~DenialSigner() {
    EVP_PKEY_free(key_);
}

std::size_t DenialSigner::max_size(std::size_t qname_size) const noexcept {
    return rr_fixed + 2 + qname_size + sizeof nxname_bitmap + rr_fixed + rrsig_fixed +
           signer_.size() + signature_size;
}

std::size_t DenialSigner::write_nxname(const std::uint8_t* qname, std::size_t qname_size,
                                       std::uint8_t labels, std::uint8_t* out,
                                       std::size_t room) const noexcept {
    if (max_size(qname_size) > room) return 0;
    // The NSEC as sent: owner compressed to the question's name; its next
    // name "\000.qname" uncompressed (RFC 4034 4.1.1), lowercase, so that
    // canonical form (RFC 4034 6.2, RFC 6840 5.1) changes nothing in it.
    std::uint8_t* nsec = out;
    const std::size_t nsec_rdata = 2 + qname_size + sizeof nxname_bitmap;
    put16(nsec, 0xc000 | dns::header_size);
    put16(nsec + 2, dns::type::NSEC);
    put16(nsec + 4, dns::class_IN);
    put32(nsec + 6, ttl_);
    put16(nsec + 10, static_cast<std::uint16_t>(nsec_rdata));
    nsec[12] = 1;
    nsec[13] = 0;
    std::memcpy(nsec + 14, qname, qname_size);
    std::memcpy(nsec + 14 + qname_size, nxname_bitmap, sizeof nxname_bitmap);
    const std::size_t nsec_size = rr_fixed + nsec_rdata;

    std::uint8_t* sig = out + nsec_size;
    std::uint8_t* rdata = sig + rr_fixed;
    put16(rdata, dns::type::NSEC);
    rdata[2] = algorithm_;
    rdata[3] = labels;
    put32(rdata + 4, ttl_);
    put32(rdata + 8, expiration_);
    put32(rdata + 12, inception_);
    put16(rdata + 16, key_tag_);
    std::memcpy(rdata + rrsig_fixed, signer_.data(), signer_.size());
    const std::size_t prefix = rrsig_fixed + signer_.size();

    // What is signed (RFC 4034 3.1.8.1): the RRSIG RDATA without the
    // signature, then the NSEC with its owner written out in full.
    std::uint8_t data[rrsig_fixed + 255 + 255 + 10 + 2 + 255 + sizeof nxname_bitmap];
    std::size_t n = 0;
    std::memcpy(data, rdata, prefix);
    n += prefix;
    std::memcpy(data + n, qname, qname_size);
    n += qname_size;
    std::memcpy(data + n, nsec + 2, nsec_size - 2);
    n += nsec_size - 2;

    std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
    const EVP_MD* md = algorithm_ == ed25519 ? nullptr : EVP_sha256(); // Ed25519 hashes itself
    std::uint8_t der[80];
    std::size_t der_size = sizeof der;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_) != 1 ||
        EVP_DigestSign(ctx.get(), der, &der_size, data, n) != 1)
        return 0;
    std::uint8_t* signature = rdata + prefix;
    if (algorithm_ == ed25519) {
        if (der_size != signature_size) return 0;
        std::memcpy(signature, der, signature_size);
    } else if (!der_to_raw(der, der_size, signature)) {
        return 0;
    }
    put16(sig, 0xc000 | dns::header_size);
    put16(sig + 2, dns::type::RRSIG);
    put16(sig + 4, dns::class_IN);
    put32(sig + 6, ttl_);
    put16(sig + 10, static_cast<std::uint16_t>(prefix + signature_size));
    return nsec_size + rr_fixed + prefix + signature_size;
}

} // namespace srvd::dnssec
