#pragma once
// Compact denial of existence (RFC 9824), signed per query on the worker: a
// name that does not exist is answered NOERROR with one NSEC at the query
// name, next name "\000.qname" and types RRSIG, NSEC and NXNAME, and its
// RRSIG by the ZSK. Nothing about the qname is known before the query, so
// this is the one signature made on the packet path. It costs tens of
// microseconds (bench/README.md, sign_bench), which is why random-name
// floods meet the rate limiter before they reach it. Standard headers only:
// the engine includes this; OpenSSL stays in the .cpp.
#include <cstddef>
#include <cstdint>
#include <string>

struct evp_pkey_st; // OpenSSL's EVP_PKEY

namespace srvd::dnssec {

class DenialSigner {
  public:
    // `key`: the ZSK (its reference is taken); `signer`: the zone apex,
    // lowercased wire; `ttl`: the negative TTL (RFC 9077: the SOA's TTL
    // capped by its MINIMUM); validity in seconds since the epoch.
    DenialSigner(evp_pkey_st* key, std::uint8_t algorithm, std::uint16_t key_tag,
                 std::string signer, std::uint32_t ttl, std::uint32_t inception,
                 std::uint32_t expiration);
    ~DenialSigner();
    DenialSigner(const DenialSigner&) = delete;
    DenialSigner& operator=(const DenialSigner&) = delete;

    // Writes the NSEC for `qname` (lowercased wire, `labels` labels, in the
    // question at offset 12, which both records' owners point to) and its
    // RRSIG at `out`: owner `qname`, types RRSIG, NSEC and NXNAME. Returns
    // the bytes written: 0 when they do not fit in `room` (see max_size) or
    // the signature fails. Allocates only inside OpenSSL.
    std::size_t write_nxname(const std::uint8_t* qname, std::size_t qname_size, std::uint8_t labels,
                             std::uint8_t* out, std::size_t room) const noexcept;

    // The NSEC a wildcard answer needs (RFC 4035 3.1.3.3 and 3.1.3.4) to
    // prove that `qname` itself does not exist: owner "\000.*.encloser"
    // (or "\000.encloser" when the next closer name sorts before "*",
    // so the wildcard stays uncovered), next name the next closer name's
    // successor past its descendants, types RRSIG and NSEC, as white lies
    // do (RFC 4470). `encloser_offset`: where
    // the closest encloser starts in qname; it has `encloser_labels` labels.
    std::size_t write_cover(const std::uint8_t* qname, std::size_t qname_size,
                            std::size_t encloser_offset, std::uint8_t encloser_labels,
                            std::size_t next_closer_offset, std::uint8_t* out,
                            std::size_t room) const noexcept;

    // The most either writes for a name of `qname_size` bytes.
    std::size_t max_size(std::size_t qname_size) const noexcept;

  private:
    // The NSEC, owned by `owner` (as signed: full, lowercase) and written as
    // `written` (with a compression pointer), and its RRSIG.
    std::size_t write(const std::uint8_t* owner, std::size_t owner_size, std::uint8_t labels,
                      const std::uint8_t* written, std::size_t written_size,
                      const std::uint8_t* next, std::size_t next_size, const std::uint8_t* bitmap,
                      std::size_t bitmap_size, std::uint8_t* out, std::size_t room) const noexcept;

    // The 64-byte signature DNSSEC carries, of `data`, with the key.
    bool sign(const std::uint8_t* data, std::size_t size, std::uint8_t* signature) const noexcept;

    evp_pkey_st* key_;
    std::uint8_t algorithm_;
    std::uint16_t key_tag_;
    std::string signer_;
    std::uint32_t ttl_, inception_, expiration_;
};

} // namespace srvd::dnssec
