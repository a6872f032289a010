#include "dnssec/zone_signer.hpp"

namespace srvd::dnssec {
namespace {

struct ZoneDeleter {
    void operator()(ldns_zone* z) const { ldns_zone_deep_free(z); }
};
using ZonePtr = std::unique_ptr<ldns_zone, ZoneDeleter>;

} // namespace

std::vector<dns::RrPtr> sign_zone(const ldns_rr* soa, const std::vector<const ldns_rr*>& records,
                                  const ZoneKeys& keys, const Validity& validity) {
    // ldns_zone_sign reads the zone and copies it; the input is copied too,
    // so nothing of the caller's is handed to ldns to keep or change.
    ZonePtr zone(ldns_zone_new());
    ldns_zone_set_soa(zone.get(), ldns_rr_clone(soa));
    for (const ldns_rr* rr : records) ldns_zone_push_rr(zone.get(), ldns_rr_clone(rr));
    std::vector<const ZoneKey*> every_key;
    for (const ZoneKey& k : keys.keys) every_key.push_back(&k);
    const BorrowedKeys list = borrow_keys(every_key, validity);
    ZonePtr signed_zone(ldns_zone_sign(zone.get(), list.get()));
    std::vector<dns::RrPtr> out;
    if (!signed_zone) return out;
    const ldns_rr_list* all = ldns_zone_rrs(signed_zone.get());
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(all); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(all, i);
        const ldns_rr_type type = ldns_rr_get_type(rr);
        if (type == LDNS_RR_TYPE_NSEC || type == LDNS_RR_TYPE_RRSIG)
            out.emplace_back(ldns_rr_clone(rr));
    }
    return out;
}

} // namespace srvd::dnssec
