#include "xfr/tsig.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace srvd::xfr {
namespace {

std::string lower_text(const ldns_rdf* name) {
    std::string out = dns::rdf_to_text(name);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// TSIG RDATA: algorithm, time signed, fudge, MAC size, MAC, ...; ldns keeps
// the MAC as field 3.
constexpr std::size_t tsig_algorithm = 0, tsig_time = 1, tsig_fudge = 2, tsig_mac = 3;

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

} // namespace

TsigVerdict verify_request(const ldns_pkt* request, const std::uint8_t* wire, std::size_t size,
                           const TransferConfig& config, std::int64_t now) {
    TsigVerdict v;
    const ldns_rr* tsig = ldns_pkt_tsig(request);
    if (!tsig) return v;
    const TsigKey* key = config.find_key(lower_text(ldns_rr_owner(tsig)));
    if (!key || ldns_rr_rd_count(tsig) <= 6 ||
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
    if (std::abs(now - time_signed(tsig)) > ldns_rdf2native_int16(ldns_rr_rdf(tsig, tsig_fudge))) {
        v.status = TsigStatus::bad_time;
        return v;
    }
    v.status = TsigStatus::verified;
    v.key = key;
    v.request_mac.reset(ldns_rdf_clone(ldns_rr_rdf(tsig, tsig_mac)));
    return v;
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
