#include "dns/rr.hpp"

#include "dns/ldns_owned.hpp"
#include "dns/name.hpp"

namespace srvd::dns {

RrPtr parse_rr(const std::string& text, const ldns_rdf* origin, std::uint32_t default_ttl,
               std::string& error) {
    ldns_rr* rr = nullptr;
    ldns_rdf* prev = nullptr;
    const ldns_status status = ldns_rr_new_frm_str(&rr, text.c_str(), default_ttl, origin, &prev);
    const RdfPtr owned_prev(prev);
    RrPtr owned(rr);
    if (status != LDNS_STATUS_OK || !owned) {
        error = ldns_get_errorstr_by_id(status);
        return nullptr;
    }
    return owned;
}

std::string owner_key(const ldns_rr* rr) {
    return lowercase(rdf_bytes(ldns_rr_owner(rr)));
}

std::string rdata_name(const ldns_rr* rr, std::size_t index) {
    const ldns_rdf* rdf = ldns_rr_rdf(rr, index);
    if (!rdf || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) return {};
    return lowercase(rdf_bytes(rdf));
}

std::string rr_to_text(const ldns_rr* rr) {
    std::string out = owned_text(ldns_rr2str(rr));
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::string rdf_to_text(const ldns_rdf* rdf) {
    return owned_text(ldns_rdf2str(rdf));
}

} // namespace srvd::dns
