#include "xfr/tsig.hpp"

#include <algorithm>
#include <cctype>

namespace srvd::xfr {
namespace {

std::string lower_text(const ldns_rdf* name) {
    char* text = ldns_rdf2str(name);
    std::string out = text ? text : "";
    free(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

// TSIG RDATA: algorithm, time signed, fudge, MAC size, MAC, ...; ldns keeps
// the MAC as field 3.
constexpr std::size_t tsig_algorithm = 0, tsig_mac = 3;
// Knot's and BIND's default: the clocks of primary and secondary may differ by 5 min.
constexpr std::uint16_t fudge = 300;

} // namespace

TsigVerdict verify_request(const ldns_pkt* request, const std::uint8_t* wire, std::size_t size,
                           const TransferConfig& config) {
    TsigVerdict v;
    const ldns_rr* tsig = ldns_pkt_tsig(request);
    if (!tsig) return v;
    const TsigKey* key = config.find_key(lower_text(ldns_rr_owner(tsig)));
    if (!key || ldns_rr_rd_count(tsig) <= tsig_mac ||
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
    v.status = TsigStatus::verified;
    v.key = key;
    v.request_mac.reset(ldns_rdf_clone(ldns_rr_rdf(tsig, tsig_mac)));
    return v;
}

bool TsigSigner::sign(ldns_pkt* message) {
    if (ldns_pkt_tsig_sign_next(message, key_.name.c_str(), key_.secret.c_str(), fudge,
                                key_.algorithm.c_str(), prior_mac_.get(), first_ ? 0 : 1) !=
        LDNS_STATUS_OK)
        return false;
    first_ = false;
    prior_mac_.reset(ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(message), tsig_mac)));
    return true;
}

} // namespace srvd::xfr
