#include "xfr/tsig.hpp"

#include "dns/wire.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

namespace srvd::xfr {
namespace {

std::string lower_text(const ldns_rdf* name) {
    std::string out = dns::rdf_to_text(name);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// TSIG RDATA as ldns keeps it: algorithm, time signed, fudge, MAC (with its
// size), original ID, error, other data (with its size): 7 fields.
constexpr std::size_t tsig_algorithm = 0, tsig_time = 1, tsig_fudge = 2, tsig_mac = 3,
                      tsig_fields = 7;

// TSIG error codes (RFC 8945 4.3, in the record's Error field).
constexpr std::uint16_t badsig = 16, badkey = 17, badtime = 18;

// Time Signed: 48 bits, seconds since the epoch.
std::int64_t time_signed(const ldns_rr* tsig) {
    const ldns_rdf* t = ldns_rr_rdf(tsig, tsig_time);
    if (!t || ldns_rdf_size(t) != 6) return -1;
    std::int64_t v = 0;
    for (std::size_t i = 0; i < 6; ++i) v = v << 8 | ldns_rdf_data(t)[i];
    return v;
}
// Knot's and BIND's default: the clocks of primary and secondary may differ by 5 min.
constexpr std::uint16_t fudge = 300;

// A size-prefixed field (MAC, Other Data): two bytes of size, then the bytes.
ldns_rdf* int16_data(const std::string& bytes) {
    std::string data;
    dns::append_uint(data, bytes.size(), 2);
    data += bytes;
    return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, data.size(), data.data());
}

const EVP_MD* digest_of(const std::string& algorithm) {
    if (algorithm == "hmac-sha256.") return EVP_sha256();
    if (algorithm == "hmac-sha512.") return EVP_sha512();
    if (algorithm == "hmac-sha1.") return EVP_sha1();
    if (algorithm == "hmac-md5.sig-alg.reg.int.") return EVP_md5();
    return nullptr;
}

// RFC 8945 4.3.3: the MAC of a response, over the request's MAC, the
// response as sent without its TSIG (wire form), and the TSIG variables.
std::string mac_over(const TsigKey& key, const ldns_rdf* request_mac, std::string_view message,
                     std::int64_t time, std::uint16_t fudge, std::uint16_t error,
                     const std::string& other) {
    const EVP_MD* md = digest_of(key.algorithm);
    ldns_rdf* secret = nullptr;
    if (!md || ldns_str2rdf_b64(&secret, key.secret.c_str()) != LDNS_STATUS_OK) return {};
    dns::RdfPtr secret_owned(secret);
    std::string data(dns::rdf_bytes(request_mac));
    data.append(message);
    dns::RdfPtr key_name(ldns_dname_new_frm_str(key.name.c_str()));
    dns::RdfPtr algorithm(ldns_dname_new_frm_str(key.algorithm.c_str()));
    if (!key_name || !algorithm) return {};
    data += dns::rdf_bytes(key_name.get());
    dns::append_uint(data, LDNS_RR_CLASS_ANY, 2);
    dns::append_uint(data, 0, 4); // TTL
    data += dns::rdf_bytes(algorithm.get());
    dns::append_uint(data, static_cast<std::uint64_t>(time), 6);
    dns::append_uint(data, fudge, 2);
    dns::append_uint(data, error, 2);
    dns::append_uint(data, other.size(), 2);
    data += other;
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    if (!HMAC(md, ldns_rdf_data(secret), static_cast<int>(ldns_rdf_size(secret)),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_size))
        return {};
    return std::string(reinterpret_cast<const char*>(mac), mac_size);
}

// The same for a response ldns holds (a BADTIME answer, which ldns cannot
// sign: it signs only with Error 0 and no Other Data).
std::string response_mac(const TsigKey& key, const ldns_rdf* request_mac, const ldns_pkt* answer,
                         std::int64_t time, std::uint16_t fudge, std::uint16_t error,
                         const std::string& other) {
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    if (ldns_pkt2wire(&wire, answer, &size) != LDNS_STATUS_OK) return {};
    std::string mac = mac_over(key, request_mac,
                               std::string_view(reinterpret_cast<const char*>(wire), size), time,
                               fudge, error, other);
    free(wire);
    return mac;
}

} // namespace

bool add_error_tsig(ldns_pkt* answer, const ldns_pkt* request, const TsigVerdict& verdict,
                    std::int64_t now) {
    const ldns_rr* asked = ldns_pkt_tsig(request);
    if (!asked || ldns_rr_rd_count(asked) < tsig_fields) return false;
    const bool timing = verdict.status == TsigStatus::bad_time && verdict.key;
    const std::uint16_t error = timing                                  ? badtime
                                : verdict.status == TsigStatus::bad_key ? badkey
                                                                        : badsig;
    // BADTIME: Time Signed is the request's, Other Data our clock (RFC 8945 5.2.3).
    const std::int64_t time = time_signed(asked);
    std::string other;
    if (timing) dns::append_uint(other, static_cast<std::uint64_t>(now), 6);
    std::string mac;
    if (timing) {
        mac = response_mac(*verdict.key, verdict.request_mac.get(), answer, time, fudge, error,
                           other);
        if (mac.empty()) return false;
    }
    std::string time_bytes;
    dns::append_uint(time_bytes, static_cast<std::uint64_t>(time < 0 ? 0 : time), 6);
    ldns_rr* rr = ldns_rr_new();
    ldns_rr_set_owner(rr, ldns_rdf_clone(ldns_rr_owner(asked)));
    ldns_rr_set_type(rr, LDNS_RR_TYPE_TSIG);
    ldns_rr_set_class(rr, LDNS_RR_CLASS_ANY);
    ldns_rr_set_ttl(rr, 0);
    ldns_rr_push_rdf(rr, ldns_rdf_clone(ldns_rr_rdf(asked, tsig_algorithm)));
    ldns_rr_push_rdf(rr, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_TSIGTIME, 6, time_bytes.data()));
    ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, fudge));
    ldns_rr_push_rdf(rr, int16_data(mac));
    ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, ldns_pkt_id(request)));
    ldns_rr_push_rdf(rr, ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, error));
    ldns_rr_push_rdf(rr, int16_data(other));
    ldns_pkt_set_tsig(answer, rr);
    return true;
}

TsigVerdict verify_request(const ldns_pkt* request, const std::uint8_t* wire, std::size_t size,
                           const TransferConfig& config, std::int64_t now) {
    TsigVerdict v;
    const ldns_rr* tsig = ldns_pkt_tsig(request);
    if (!tsig) return v;
    const TsigKey* key = config.find_key(lower_text(ldns_rr_owner(tsig)));
    if (!key || ldns_rr_rd_count(tsig) < tsig_fields ||
        lower_text(ldns_rr_rdf(tsig, tsig_algorithm)) != key->algorithm) {
        v.status = TsigStatus::bad_key;
        return v;
    }
    // ldns_pkt_tsig_verify takes a non-const packet but only reads it.
    if (!ldns_pkt_tsig_verify(const_cast<ldns_pkt*>(request), wire, size, key->name.c_str(),
                              key->secret.c_str(), nullptr)) {
        v.status = TsigStatus::bad_signature;
        return v;
    }
    v.key = key;
    v.request_mac.reset(ldns_rdf_clone(ldns_rr_rdf(tsig, tsig_mac)));
    v.status =
        std::abs(now - time_signed(tsig)) > ldns_rdf2native_int16(ldns_rr_rdf(tsig, tsig_fudge))
            ? TsigStatus::bad_time
            : TsigStatus::verified;
    return v;
}

std::string sign_response(const TsigKey& key, const ldns_rdf* request_mac,
                          const std::uint8_t* message, std::size_t size, std::int64_t now) {
    if (size < dns::header_size) return {};
    const std::string_view wire(reinterpret_cast<const char*>(message), size);
    const std::string mac = mac_over(key, request_mac, wire, now, fudge, 0, {});
    dns::RdfPtr key_name(ldns_dname_new_frm_str(key.name.c_str()));
    dns::RdfPtr algorithm(ldns_dname_new_frm_str(key.algorithm.c_str()));
    if (mac.empty() || !key_name || !algorithm) return {};
    std::string rdata(dns::rdf_bytes(algorithm.get()));
    dns::append_uint(rdata, static_cast<std::uint64_t>(now), 6);
    dns::append_uint(rdata, fudge, 2);
    dns::append_uint(rdata, mac.size(), 2);
    rdata += mac;
    rdata.append(wire.substr(0, 2)); // Original ID: the message's
    dns::append_uint(rdata, 0, 2);   // Error
    dns::append_uint(rdata, 0, 2);   // Other Len
    std::string out(wire);
    out += dns::rdf_bytes(key_name.get());
    dns::append_uint(out, LDNS_RR_TYPE_TSIG, 2);
    dns::append_uint(out, LDNS_RR_CLASS_ANY, 2);
    dns::append_uint(out, 0, 4);
    dns::append_uint(out, rdata.size(), 2);
    out += rdata;
    const std::uint16_t arcount = static_cast<std::uint16_t>(dns::get16(message + 10) + 1);
    out[10] = static_cast<char>(arcount >> 8);
    out[11] = static_cast<char>(arcount & 0xff);
    return out;
}

bool TsigSigner::sign(ldns_pkt* message) {
    if (ldns_pkt_tsig_sign_next(message, key_.name.c_str(), key_.secret.c_str(), fudge,
                                key_.algorithm.c_str(), prior_mac_.get(),
                                first_ ? 0 : 1) != LDNS_STATUS_OK)
        return false;
    first_ = false;
    prior_mac_.reset(ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(message), tsig_mac)));
    return true;
}

} // namespace srvd::xfr
