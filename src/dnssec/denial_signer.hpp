#pragma once
// Compact denial of existence (RFC 9824), signed per query on the worker: a
// name that does not exist is answered NOERROR with one NSEC at the query
// name, next name "\000.qname" and types RRSIG, NSEC and NXNAME, and an
// RRSIG by every key that signs the zone's other sets (KeySet::zsks: in a
// rollover, a validator may still hold only the old key). Nothing about the qname is known before
// the query, so this is the one signature made on the packet path. It costs tens of microseconds
// (bench/README.md, sign_bench), which is why random-name floods meet the rate limiter before they
// reach it. Standard headers only: the engine includes this; OpenSSL stays in the .cpp.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

struct evp_pkey_st; // OpenSSL's EVP_PKEY

namespace srvd::dnssec {

// A private key as the signer uses it (its reference is taken).
struct DenialKey {
    evp_pkey_st* key;
    std::uint8_t algorithm;
    std::uint16_t tag;
};

class DenialSigner {
  public:
    // `keys`: the keys that sign; `signer`: the zone apex, lowercased wire;
    // `ttl`: the negative TTL (RFC 9077: the SOA's TTL capped by its
    // MINIMUM); validity in seconds since the epoch.
    DenialSigner(const std::vector<DenialKey>& keys, std::string signer, std::uint32_t ttl,
                 std::uint32_t inception, std::uint32_t expiration);
    ~DenialSigner();
    DenialSigner(const DenialSigner&) = delete;
    DenialSigner& operator=(const DenialSigner&) = delete;

    // Writes the NSEC for `qname` (lowercased wire, `labels` labels, in the
    // question at offset 12, which both records' owners point to) and its
    // RRSIGs at `out`: owner `qname`, types RRSIG, NSEC and NXNAME, next
    // name "\000.qname", or its successor past its descendants (RFC 4471)
    // when that is longer than a name may be. Returns
    // the bytes written: 0 when they do not fit in `room` (see max_size) or
    // the signature fails. `ttl`: the TTL of the SOA it is sent beside, which
    // below a proxy name is the proxy's (RFC 9077: the NSEC is cached no
    // longer than the denial; the zone's negative TTL caps it). Allocates
    // only inside OpenSSL.
    std::size_t write_nxname(const std::uint8_t* qname, std::size_t qname_size, std::uint8_t labels,
                             std::uint32_t ttl, std::uint8_t* out, std::size_t room) const noexcept;

    // The NSEC a wildcard answer needs (RFC 4035 3.1.3.3 and 3.1.3.4) to
    // prove that `qname` itself does not exist: owner "\000.*.encloser"
    // (or "\000.encloser" when the next closer name sorts before "*",
    // so the wildcard stays uncovered), next name the next closer name's
    // successor past its descendants, types RRSIG and NSEC, as white lies
    // do (RFC 4470). When no name lies between that owner and the next
    // closer name (it is "\000.encloser") or the owner is too long, the NSEC
    // is the encloser's (or the wildcard's) own, with the types it has
    // (add_types). `encloser_offset`: where the closest encloser starts in
    // qname; it has `encloser_labels` labels.
    std::size_t write_cover(const std::uint8_t* qname, std::size_t qname_size,
                            std::size_t encloser_offset, std::uint8_t encloser_labels,
                            std::size_t next_closer_offset, std::uint8_t* out,
                            std::size_t room) const noexcept;

    // The most either writes for a name of `qname_size` bytes.
    std::size_t max_size(std::size_t qname_size) const noexcept;

    // The NSEC type bitmap of an existing name (lowercased wire) that a
    // cover may have to be owned by: a wildcard's parent, and the wildcard.
    void add_types(std::string name, std::string bitmap);

    // How many RRSIGs each NSEC gets.
    std::size_t key_count() const noexcept { return keys_.size(); }

  private:
    // The NSEC, owned by `owner` (as signed: full, lowercase) and written as
    // `written` (with a compression pointer), and its RRSIGs.
    std::size_t write(const std::uint8_t* owner, std::size_t owner_size, std::uint8_t labels,
                      const std::uint8_t* written, std::size_t written_size,
                      const std::uint8_t* next, std::size_t next_size, const std::uint8_t* bitmap,
                      std::size_t bitmap_size, std::uint32_t ttl, std::uint8_t* out,
                      std::size_t room) const noexcept;

    // The 64-byte signature DNSSEC carries, of `data`, with `key`.
    static bool sign(const DenialKey& key, const std::uint8_t* data, std::size_t size,
                     std::uint8_t* signature) noexcept;

    // The bitmap add_types gave `name`, or null.
    const std::string* types_of(const std::uint8_t* name, std::size_t size) const noexcept;

    std::vector<DenialKey> keys_;
    std::string signer_;
    std::uint32_t ttl_, inception_, expiration_;
    std::vector<std::pair<std::string, std::string>> types_;
    std::size_t max_bitmap_;
};

} // namespace srvd::dnssec
