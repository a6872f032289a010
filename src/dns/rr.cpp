#include "dns/rr.hpp"

#include "dns/ldns_owned.hpp"
#include "dns/name.hpp"
#include "dns/wire.hpp"

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

bool has_name_too_long(const ldns_rr* rr) {
    if (longer_than_a_name(ldns_rr_owner(rr))) return true;
    for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i)
        if (ldns_rdf_get_type(ldns_rr_rdf(rr, i)) == LDNS_RDF_TYPE_DNAME &&
            longer_than_a_name(ldns_rr_rdf(rr, i)))
            return true;
    return false;
}

std::string owner_key(const ldns_rr* rr) {
    return lowercase(rdf_bytes(ldns_rr_owner(rr)));
}

std::string rdata_name(const ldns_rr* rr, std::size_t index) {
    const ldns_rdf* rdf = ldns_rr_rdf(rr, index);
    if (!rdf || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) return {};
    return lowercase(rdf_bytes(rdf));
}

std::string record_bytes(const ldns_rr* rr) {
    std::string out(rdf_bytes(ldns_rr_owner(rr)));
    append_uint(out, ldns_rr_get_type(rr), 2);
    append_uint(out, ldns_rr_get_class(rr), 2);
    append_uint(out, ldns_rr_ttl(rr), 4);
    for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        const std::string_view field = rdf_bytes(ldns_rr_rdf(rr, i));
        append_uint(out, field.size(), 2);
        out += field;
    }
    return out;
}

bool same_record(const ldns_rr* a, const ldns_rr* b) {
    if (ldns_rr_get_type(a) != ldns_rr_get_type(b) ||
        ldns_rr_get_class(a) != ldns_rr_get_class(b) || ldns_rr_ttl(a) != ldns_rr_ttl(b) ||
        ldns_rr_rd_count(a) != ldns_rr_rd_count(b) ||
        rdf_bytes(ldns_rr_owner(a)) != rdf_bytes(ldns_rr_owner(b)))
        return false;
    for (std::size_t i = 0; i < ldns_rr_rd_count(a); ++i)
        if (rdf_bytes(ldns_rr_rdf(a, i)) != rdf_bytes(ldns_rr_rdf(b, i))) return false;
    return true;
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
