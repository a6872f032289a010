#include "dnssec/rrset_signer.hpp"

namespace srvd::dnssec {
namespace {

struct RrListDeleter {
    void operator()(ldns_rr_list* l) const { ldns_rr_list_deep_free(l); }
};
using RrListPtr = std::unique_ptr<ldns_rr_list, RrListDeleter>;

} // namespace

void BorrowedKeysDeleter::operator()(ldns_key_list* l) const {
    ldns_key_list_set_use(l, true);
    ldns_key_list_set_key_count(l, 0);
    ldns_key_list_free(l);
}

BorrowedKeys borrow_keys(const std::vector<const ZoneKey*>& keys, const Validity& validity) {
    BorrowedKeys list(ldns_key_list_new());
    for (const ZoneKey* k : keys) {
        ldns_key_set_inception(k->key.get(), validity.inception);
        ldns_key_set_expiration(k->key.get(), validity.expiration);
        ldns_key_list_push_key(list.get(), k->key.get());
    }
    return list;
}

std::int64_t day_start(std::int64_t now) {
    return now - now % 86400;
}

Validity validity_from(std::int64_t start, unsigned days) {
    return {static_cast<std::uint32_t>(start - 3600),
            static_cast<std::uint32_t>(start + std::int64_t{days} * 86400)};
}

dns::RrPtr sign_rrset(const std::vector<const ldns_rr*>& rrset, const ZoneKey& key,
                      const Validity& validity) {
    if (rrset.empty()) return nullptr;
    RrListPtr set(ldns_rr_list_new());
    for (const ldns_rr* rr : rrset) ldns_rr_list_push_rr(set.get(), ldns_rr_clone(rr));
    if (!ldns_is_rrset(set.get())) return nullptr;
    const BorrowedKeys keys = borrow_keys({&key}, validity);
    RrListPtr sigs(ldns_sign_public(set.get(), keys.get()));
    if (!sigs || ldns_rr_list_rr_count(sigs.get()) != 1) return nullptr;
    return dns::RrPtr(ldns_rr_list_pop_rr(sigs.get()));
}

} // namespace srvd::dnssec
