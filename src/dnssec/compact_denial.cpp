#include "dnssec/compact_denial.hpp"

#include "dns/wire.hpp"

#include <algorithm>

namespace srvd::dnssec {

dns::RrPtr compact_nsec(const std::string& owner, std::vector<std::uint16_t> types,
                        std::uint32_t ttl) {
    const std::string next = std::string("\x01\x00", 2) + owner;
    if (next.size() > dns::max_name_size) return nullptr;
    types.push_back(dns::type::RRSIG);
    types.push_back(dns::type::NSEC);
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
    std::vector<ldns_rr_type> list;
    for (std::uint16_t t : types) list.push_back(static_cast<ldns_rr_type>(t));
    dns::RrPtr rr(ldns_rr_new());
    ldns_rr_set_type(rr.get(), LDNS_RR_TYPE_NSEC);
    ldns_rr_set_class(rr.get(), LDNS_RR_CLASS_IN);
    ldns_rr_set_ttl(rr.get(), ttl);
    ldns_rr_set_owner(rr.get(), ldns_dname_new_frm_data(owner.size(), owner.data()));
    ldns_rr_push_rdf(rr.get(), ldns_dname_new_frm_data(next.size(), next.data()));
    ldns_rr_push_rdf(rr.get(),
                     ldns_dnssec_create_nsec_bitmap(list.data(), list.size(), LDNS_RR_TYPE_NSEC));
    return rr;
}

std::string nsec_bitmap(std::vector<std::uint16_t> types) {
    const dns::RrPtr nsec = compact_nsec(std::string(1, '\0'), std::move(types), 0);
    return std::string(dns::rdf_bytes(ldns_rr_rdf(nsec.get(), 1)));
}

std::unique_ptr<DenialSigner> make_denial_signer(const KeySet& keys, const std::string& apex,
                                                 std::uint32_t ttl, const Validity& validity) {
    std::vector<DenialKey> signing;
    for (const ZoneKey* k : keys.zsks())
        signing.push_back({ldns_key_evp_key(k->key.get()), k->algorithm, k->tag});
    return std::make_unique<DenialSigner>(signing, apex, ttl, validity.inception,
                                          validity.expiration);
}

} // namespace srvd::dnssec
