#include "dns/rr.hpp"

#include "dns/name.hpp"

namespace srvd::dns {

RrPtr parse_rr(const std::string& text, const ldns_rdf* origin, std::uint32_t default_ttl,
               std::string& error) {
    ldns_rr* rr = nullptr;
    ldns_rdf* prev = nullptr;
    ldns_status status = ldns_rr_new_frm_str(&rr, text.c_str(), default_ttl, origin, &prev);
    if (prev) ldns_rdf_deep_free(prev);
    if (status != LDNS_STATUS_OK || !rr) {
        error = ldns_get_errorstr_by_id(status);
        if (rr) ldns_rr_free(rr);
        return nullptr;
    }
    return RrPtr(rr);
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
    char* text = ldns_rr2str(rr);
    std::string out = text ? text : "";
    free(text);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::string rdf_to_text(const ldns_rdf* rdf) {
    char* text = ldns_rdf2str(rdf);
    std::string out = text ? text : "";
    free(text);
    return out;
}

} // namespace srvd::dns
