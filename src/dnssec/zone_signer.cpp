#include "dnssec/zone_signer.hpp"

namespace srvd::dnssec {
namespace {

struct DnssecZoneDeleter {
    // The records stay the caller's (ldns_dnssec_zone_free leaves them).
    void operator()(ldns_dnssec_zone* z) const { ldns_dnssec_zone_free(z); }
};
struct RrListDeleter {
    void operator()(ldns_rr_list* l) const { ldns_rr_list_deep_free(l); }
};

} // namespace

std::vector<dns::RrPtr> sign_zone(const ldns_rr* soa, const std::vector<const ldns_rr*>& records,
                                  const KeySet& keys, const Validity& validity) {
    // Copies, so nothing of the caller's is handed to ldns to keep or change.
    std::vector<dns::RrPtr> copies;
    std::unique_ptr<ldns_dnssec_zone, DnssecZoneDeleter> zone(ldns_dnssec_zone_new());
    copies.emplace_back(ldns_rr_clone(soa));
    for (const ldns_rr* rr : records) copies.emplace_back(ldns_rr_clone(rr));
    for (const auto& rr : copies) ldns_dnssec_zone_add_rr(zone.get(), rr.get());
    const BorrowedKeys list = borrow_keys(keys.active, validity);
    // Every algorithm signs every set (RFC 4035 2.2), as the compiled
    // answers are signed (KeySet::signers): ldns's default would leave a
    // KSK's algorithm off every set but the DNSKEY's.
    std::unique_ptr<ldns_rr_list, RrListDeleter> added(ldns_rr_list_new());
    std::vector<dns::RrPtr> out;
    if (ldns_dnssec_zone_sign_flg(zone.get(), added.get(), list.get(),
                                  ldns_dnssec_default_replace_signatures, nullptr,
                                  LDNS_SIGN_WITH_ALL_ALGORITHMS) != LDNS_STATUS_OK)
        return out;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(added.get()); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(added.get(), i);
        const ldns_rr_type type = ldns_rr_get_type(rr);
        if (type == LDNS_RR_TYPE_NSEC || type == LDNS_RR_TYPE_RRSIG)
            out.emplace_back(ldns_rr_clone(rr));
    }
    return out;
}

} // namespace srvd::dnssec
