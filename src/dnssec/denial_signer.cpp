#include "dnssec/denial_signer.hpp"

#include "dns/wire.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>

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
constexpr std::size_t max_label = 63;
// The largest NSEC type bitmap: 256 windows of 2 + 32 bytes (RFC 4034 4.1.2).
constexpr std::size_t max_nsec_bitmap = 256 * 34;

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

// The first name after `name` (`size` bytes, lowercased wire) and every
// name below it in canonical order (RFC 4034 6.1), written at `out`: its
// first label with a zero octet appended; or, where that label or name
// would be too long, the label's last octet raised to the next value that
// canonical order knows (RFC 4471 3.1.2: no name can lie in between, as
// none may be longer). Returns its size, 0 for the root.
std::size_t successor_past_descendants(const std::uint8_t* name, std::size_t size,
                                       std::uint8_t* out) noexcept {
    for (;;) {
        const std::size_t n = name[0];
        if (n == 0) return 0;
        const std::uint8_t* rest = name + 1 + n;
        const std::size_t rest_size = size - 1 - n;
        if (n < max_label && size < dns::max_name_size) {
            out[0] = static_cast<std::uint8_t>(n + 1);
            std::memcpy(out + 1, name + 1, n);
            out[1 + n] = 0;
            std::memcpy(out + 2 + n, rest, rest_size);
            return size + 1;
        }
        std::size_t m = n; // the last octet that can be raised: 0xff cannot
        while (m > 0 && name[m] == 0xff) --m;
        if (m > 0) {
            std::uint8_t raised = static_cast<std::uint8_t>(name[m] + 1);
            if (raised >= 'A' && raised <= 'Z') raised = 'Z' + 1; // they sort as a-z
            out[0] = static_cast<std::uint8_t>(m);
            std::memcpy(out + 1, name + 1, m - 1);
            out[m] = raised;
            std::memcpy(out + 1 + m, rest, rest_size);
            return 1 + m + rest_size;
        }
        name = rest; // a label of 0xff octets only: past its parent's descendants
        size = rest_size;
    }
}

} // namespace

DenialSigner::DenialSigner(const std::vector<DenialKey>& keys, std::string signer,
                           std::uint32_t ttl, std::uint32_t inception, std::uint32_t expiration)
    : keys_(keys), signer_(std::move(signer)), ttl_(ttl), inception_(inception),
      expiration_(expiration), max_bitmap_(sizeof nxname_bitmap) {
    for (const DenialKey& k : keys_) EVP_PKEY_up_ref(k.key);
}

DenialSigner::~DenialSigner() {
    for (const DenialKey& k : keys_) EVP_PKEY_free(k.key);
}

void DenialSigner::add_types(std::string name, std::string bitmap) {
    max_bitmap_ = std::max(max_bitmap_, bitmap.size());
    types_.emplace_back(std::move(name), std::move(bitmap));
}

const std::string* DenialSigner::types_of(const std::uint8_t* name,
                                          std::size_t size) const noexcept {
    const std::string_view wanted(reinterpret_cast<const char*>(name), size);
    for (const auto& [owner, bitmap] : types_)
        if (owner == wanted) return &bitmap;
    return nullptr;
}

bool DenialSigner::sign(const DenialKey& key, const std::uint8_t* data, std::size_t size,
                        std::uint8_t* signature) noexcept {
    std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
    const EVP_MD* md = key.algorithm == ed25519 ? nullptr : EVP_sha256(); // Ed25519 hashes itself
    std::uint8_t der[80];
    std::size_t der_size = sizeof der;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.key) != 1 ||
        EVP_DigestSign(ctx.get(), der, &der_size, data, size) != 1)
        return false;
    if (key.algorithm != ed25519) return der_to_raw(der, der_size, signature);
    if (der_size != signature_size) return false;
    std::memcpy(signature, der, signature_size);
    return true;
}

std::size_t DenialSigner::max_size(std::size_t qname_size) const noexcept {
    // The NSEC (its owner a pointer, or "\000.*" and a pointer; its next
    // name at most 2 bytes longer than qname) and one RRSIG per key.
    const std::size_t next = std::min(qname_size + 2, dns::max_name_size);
    return rr_fixed + 4 + next + max_bitmap_ +
           keys_.size() * (rr_fixed + 4 + rrsig_fixed + signer_.size() + signature_size);
}

std::size_t DenialSigner::write_nxname(const std::uint8_t* qname, std::size_t qname_size,
                                       std::uint8_t labels, std::uint32_t ttl, std::uint8_t* out,
                                       std::size_t room) const noexcept {
    const std::uint8_t pointer[] = {0xc0, dns::header_size};
    std::uint8_t next[dns::max_name_size];
    std::size_t next_size;
    if (qname_size + 2 <= dns::max_name_size) {
        next[0] = 1;
        next[1] = 0;
        std::memcpy(next + 2, qname, qname_size);
        next_size = qname_size + 2;
    } else {
        // A name this long has no descendants: its successor is next.
        next_size = successor_past_descendants(qname, qname_size, next);
        if (!next_size) return 0;
    }
    return write(qname, qname_size, labels, pointer, sizeof pointer, next, next_size, nxname_bitmap,
                 sizeof nxname_bitmap, std::min(ttl, ttl_), out, room);
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
    const std::uint8_t* encloser = qname + encloser_offset;
    const std::size_t encloser_size = qname_size - encloser_offset;
    const std::uint16_t encloser_pointer =
        static_cast<std::uint16_t>(0xc000 | (dns::header_size + encloser_offset));
    // The next name: past the next closer name and all its descendants
    // (RFC 4471 3.1.1). Not "\000.qname", which a validator reads as an
    // empty non-terminal at qname: a name that exists.
    std::uint8_t next[dns::max_name_size];
    const std::size_t next_size =
        successor_past_descendants(label, qname_size - next_closer_offset, next);
    if (!next_size) return 0;

    std::uint8_t owner[4 + dns::max_name_size];
    std::size_t n = 0;
    owner[n++] = 1;
    owner[n++] = 0;
    if (after_star) {
        owner[n++] = 1;
        owner[n++] = '*';
    }
    std::uint8_t written[6];
    const bool owner_is_next_closer = !after_star && label[0] == 1 && label[1] == 0;
    if (!owner_is_next_closer && n + encloser_size <= dns::max_name_size) {
        std::memcpy(written, owner, n);
        dns::put16(written + n, encloser_pointer);
        std::memcpy(owner + n, encloser, encloser_size);
        const auto labels = static_cast<std::uint8_t>(encloser_labels + (after_star ? 2 : 1));
        return write(owner, n + encloser_size, labels, written, n + 2, next, next_size,
                     cover_bitmap, sizeof cover_bitmap, ttl_, out, room);
    }
    // Nothing lies between the encloser and "\000.encloser", the next
    // closer name, and "\000.*.encloser" may be too long: the NSEC is then
    // the existing name's before it, with its own types, the encloser's or
    // the wildcard's (whose RRSIG does not count the "*", RFC 4034 3.1.3).
    std::size_t w = 0;
    if (after_star) {
        owner[0] = 1;
        owner[1] = '*';
        written[w++] = 1;
        written[w++] = '*';
    }
    const std::size_t prefix = after_star ? 2 : 0;
    dns::put16(written + w, encloser_pointer);
    std::memcpy(owner + prefix, encloser, encloser_size);
    const std::string* bitmap = types_of(owner, prefix + encloser_size);
    if (!bitmap) return 0;
    return write(owner, prefix + encloser_size, encloser_labels, written, w + 2, next, next_size,
                 reinterpret_cast<const std::uint8_t*>(bitmap->data()), bitmap->size(), ttl_, out,
                 room);
}

std::size_t DenialSigner::write(const std::uint8_t* owner, std::size_t owner_size,
                                std::uint8_t labels, const std::uint8_t* written,
                                std::size_t written_size, const std::uint8_t* next,
                                std::size_t next_size, const std::uint8_t* bitmap,
                                std::size_t bitmap_size, std::uint32_t ttl, std::uint8_t* out,
                                std::size_t room) const noexcept {
    const std::size_t rdata_size = next_size + bitmap_size;
    const std::size_t nsec_size = written_size + 10 + rdata_size;
    const std::size_t prefix = rrsig_fixed + signer_.size();
    const std::size_t sig_size = written_size + 10 + prefix + signature_size;
    if (keys_.empty() || nsec_size + keys_.size() * sig_size > room) return 0;
    // The NSEC as sent: its next name uncompressed (RFC 4034 4.1.1) and
    // lowercase, so that canonical form (RFC 4034 6.2, RFC 6840 5.1)
    // changes nothing in it.
    std::uint8_t* nsec = out;
    std::memcpy(nsec, written, written_size);
    std::uint8_t* fixed = nsec + written_size;
    put16(fixed, dns::type::NSEC);
    put16(fixed + 2, dns::class_IN);
    put32(fixed + 4, ttl);
    put16(fixed + 8, static_cast<std::uint16_t>(rdata_size));
    std::uint8_t* rdata = fixed + 10;
    std::memcpy(rdata, next, next_size);
    std::memcpy(rdata + next_size, bitmap, bitmap_size);

    // Its RRSIGs, owned by the same name, written the same way: what each
    // signs (RFC 4034 3.1.8.1) is its RDATA without the signature, then
    // the NSEC with its owner written out in full.
    std::uint8_t* sig = out + nsec_size;
    for (const DenialKey& key : keys_) {
        std::memcpy(sig, written, written_size);
        std::uint8_t* sig_fixed = sig + written_size;
        std::uint8_t* sig_rdata = sig_fixed + 10;
        put16(sig_rdata, dns::type::NSEC);
        sig_rdata[2] = key.algorithm;
        sig_rdata[3] = labels;
        put32(sig_rdata + 4, ttl);
        put32(sig_rdata + 8, expiration_);
        put32(sig_rdata + 12, inception_);
        put16(sig_rdata + 16, key.tag);
        std::memcpy(sig_rdata + rrsig_fixed, signer_.data(), signer_.size());
        std::uint8_t data[rrsig_fixed + 3 * dns::max_name_size + 10 + max_nsec_bitmap];
        if (prefix + owner_size + 10 + rdata_size > sizeof data) return 0;
        std::size_t d = 0;
        std::memcpy(data, sig_rdata, prefix);
        d += prefix;
        std::memcpy(data + d, owner, owner_size);
        d += owner_size;
        std::memcpy(data + d, fixed, 10 + rdata_size);
        d += 10 + rdata_size;
        if (!sign(key, data, d, sig_rdata + prefix)) return 0;
        put16(sig_fixed, dns::type::RRSIG);
        put16(sig_fixed + 2, dns::class_IN);
        put32(sig_fixed + 4, ttl);
        put16(sig_fixed + 8, static_cast<std::uint16_t>(prefix + signature_size));
        sig += sig_size;
    }
    return nsec_size + keys_.size() * sig_size;
}

} // namespace srvd::dnssec
