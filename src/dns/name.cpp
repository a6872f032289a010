#include "dns/name.hpp"

#include "dns/rr.hpp"
#include "dns/wire.hpp"

#include "dns/ldns_owned.hpp"

namespace srvd::dns {

std::string absolute(std::string text) {
    if (!text.empty() && text.back() != '.') text.push_back('.');
    return text;
}

std::optional<std::string> name_from_text(std::string_view text) {
    if (text.empty()) return std::nullopt;
    const std::string s = absolute(std::string(text));
    ldns_rdf* rdf = nullptr;
    const ldns_status status = ldns_str2rdf_dname(&rdf, s.c_str());
    const RdfPtr owned(rdf);
    if (status != LDNS_STATUS_OK || !owned) return std::nullopt;
    return std::string(rdf_bytes(owned.get()));
}

std::string name_to_text(std::string_view wire) {
    const RdfPtr rdf(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, wire.size(), wire.data()));
    if (!rdf) return "?";
    return owned_text(ldns_rdf2str(rdf.get()), "?");
}

std::string lowercase(std::string_view wire) {
    std::string out(wire);
    // Label length bytes are below 64 and never ASCII upper-case letters.
    for (char& c : out) c = static_cast<char>(ascii_lower(static_cast<std::uint8_t>(c)));
    return out;
}

bool is_at_or_below(std::string_view name, std::string_view zone) {
    while (name.size() > zone.size()) name = parent_name(name);
    return name == zone;
}

std::string_view parent_name(std::string_view wire) {
    if (wire.size() <= 1) return wire;
    return wire.substr(1 + static_cast<std::uint8_t>(wire[0]));
}

std::size_t label_count(std::string_view wire) {
    std::size_t n = 0;
    while (wire.size() > 1) {
        wire = parent_name(wire);
        ++n;
    }
    return n;
}

} // namespace srvd::dns
