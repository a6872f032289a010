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
// The cover's: RRSIG and NSEC only.
constexpr std::uint8_t cover_bitmap[] = {0, 6, 0, 0, 0, 0, 0, 0x03};
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

bool DenialSigner::sign(const std::uint8_t* data, std::size_t size,
                        std::uint8_t* signature) const noexcept {
    std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
    const EVP_MD* md = algorithm_ == ed25519 ? nullptr : EVP_sha256(); // Ed25519 hashes itself
    std::uint8_t der[80];
    std::size_t der_size = sizeof der;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_) != 1 ||
        EVP_DigestSign(ctx.get(), der, &der_size, data, size) != 1)
        return false;
    if (algorithm_ != ed25519) return der_to_raw(der, der_size, signature);
    if (der_size != signature_size) return false;
    std::memcpy(signature, der, signature_size);
    return true;
}

std::size_t DenialSigner::max_size(std::size_t qname_size) const noexcept {
    // The NXNAME NSEC's: the cover's two owners ("\000.*" and a pointer)
    // are 4 bytes longer each, but its types are 11 shorter.
    return rr_fixed + 2 + qname_size + sizeof nxname_bitmap + rr_fixed + rrsig_fixed +
           signer_.size() + signature_size;
}

std::size_t DenialSigner::write_nxname(const std::uint8_t* qname, std::size_t qname_size,
                                       std::uint8_t labels, std::uint8_t* out,
                                       std::size_t room) const noexcept {
    if (2 + qname_size > dns::max_name_size) return 0;
    const std::uint8_t pointer[] = {0xc0, dns::header_size};
    std::uint8_t next[dns::max_name_size];
    next[0] = 1;
    next[1] = 0;
    std::memcpy(next + 2, qname, qname_size);
    return write(qname, qname_size, labels, pointer, sizeof pointer, next, 2 + qname_size,
                 nxname_bitmap, sizeof nxname_bitmap, out, room);
}

std::size_t DenialSigner::write_cover(const std::uint8_t* qname, std::size_t qname_size,
                                      std::size_t encloser_offset, std::uint8_t encloser_labels,
                                      std::size_t next_closer_offset, std::uint8_t* out,
                                      std::size_t room) const noexcept {
    // Canonical order (RFC 4034 6.1) among the encloser's children: is the
    // next closer label after "*"? Then "\000.*.encloser" lies between the
    // wildcard and it; else "\000.encloser" lies before both.
    const std::uint8_t* label = qname + next_closer_offset;
    const bool after_star = label[1] > '*' || (label[1] == '*' && label[0] > 1);
    const std::size_t encloser_size = qname_size - encloser_offset;
    std::uint8_t owner[4 + 255];
    std::size_t n = 0;
    owner[n++] = 1;
    owner[n++] = 0;
    if (after_star) {
        owner[n++] = 1;
        owner[n++] = '*';
    }
    if (n + encloser_size > dns::max_name_size) return 0;
    std::uint8_t written[6];
    std::memcpy(written, owner, n);
    dns::put16(written + n,
               static_cast<std::uint16_t>(0xc000 | (dns::header_size + encloser_offset)));
    std::memcpy(owner + n, qname + encloser_offset, encloser_size);
    const auto labels = static_cast<std::uint8_t>(encloser_labels + (after_star ? 2 : 1));
    // The next name: the next closer name's first label with a zero octet
    // appended, the first name after it and all its descendants (RFC 4471
    // 3.1.1). Not "\000.qname", which a validator reads as an empty
    // non-terminal at qname: a name that exists.
    std::uint8_t next[dns::max_name_size];
    const std::size_t next_closer_size = qname_size - next_closer_offset;
    if (label[0] >= 63 || next_closer_size + 1 > dns::max_name_size) return 0;
    next[0] = static_cast<std::uint8_t>(label[0] + 1);
    std::memcpy(next + 1, label + 1, label[0]);
    next[1 + label[0]] = 0;
    std::memcpy(next + 2 + label[0], label + 1 + label[0], next_closer_size - 1 - label[0]);
    return write(owner, n + encloser_size, labels, written, n + 2, next, next_closer_size + 1,
                 cover_bitmap, sizeof cover_bitmap, out, room);
}

std::size_t DenialSigner::write(const std::uint8_t* owner, std::size_t owner_size,
                                std::uint8_t labels, const std::uint8_t* written,
                                std::size_t written_size, const std::uint8_t* next,
                                std::size_t next_size, const std::uint8_t* bitmap,
                                std::size_t bitmap_size, std::uint8_t* out,
                                std::size_t room) const noexcept {
    // Both callers' next names are at most 2 bytes longer than qname.
    if (max_size(next_size - 2) > room) return 0;
    // The NSEC as sent: its next name uncompressed (RFC 4034 4.1.1) and
    // lowercase, so that canonical form (RFC 4034 6.2, RFC 6840 5.1)
    // changes nothing in it.
    std::uint8_t* nsec = out;
    std::memcpy(nsec, written, written_size);
    std::uint8_t* fixed = nsec + written_size;
    const std::size_t rdata_size = next_size + bitmap_size;
    put16(fixed, dns::type::NSEC);
    put16(fixed + 2, dns::class_IN);
    put32(fixed + 4, ttl_);
    put16(fixed + 8, static_cast<std::uint16_t>(rdata_size));
    std::uint8_t* rdata = fixed + 10;
    std::memcpy(rdata, next, next_size);
    std::memcpy(rdata + next_size, bitmap, bitmap_size);
    const std::size_t nsec_size = written_size + 10 + rdata_size;

    // Its RRSIG, owned by the same name, written the same way.
    std::uint8_t* sig = out + nsec_size;
    std::memcpy(sig, written, written_size);
    std::uint8_t* sig_fixed = sig + written_size;
    std::uint8_t* sig_rdata = sig_fixed + 10;
    put16(sig_rdata, dns::type::NSEC);
    sig_rdata[2] = algorithm_;
    sig_rdata[3] = labels;
    put32(sig_rdata + 4, ttl_);
    put32(sig_rdata + 8, expiration_);
    put32(sig_rdata + 12, inception_);
    put16(sig_rdata + 16, key_tag_);
    std::memcpy(sig_rdata + rrsig_fixed, signer_.data(), signer_.size());
    const std::size_t prefix = rrsig_fixed + signer_.size();

    // What is signed (RFC 4034 3.1.8.1): the RRSIG RDATA without the
    // signature, then the NSEC with its owner written out in full.
    std::uint8_t data[rrsig_fixed + 255 + 255 + 10 + 255 + sizeof nxname_bitmap];
    std::size_t n = 0;
    std::memcpy(data, sig_rdata, prefix);
    n += prefix;
    std::memcpy(data + n, owner, owner_size);
    n += owner_size;
    std::memcpy(data + n, fixed, 10 + rdata_size);
    n += 10 + rdata_size;

    if (!sign(data, n, sig_rdata + prefix)) return 0;
    put16(sig_fixed, dns::type::RRSIG);
    put16(sig_fixed + 2, dns::class_IN);
    put32(sig_fixed + 4, ttl_);
    put16(sig_fixed + 8, static_cast<std::uint16_t>(prefix + signature_size));
    return nsec_size + written_size + 10 + prefix + signature_size;
}

} // namespace srvd::dnssec
