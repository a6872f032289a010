#include "dns/query_builder.hpp"

#include "dns/ldns_owned.hpp"
#include "util/address_prefix.hpp"

#include <stdexcept>

namespace srvd::dns {

std::optional<ClientSubnet> parse_client_subnet(const std::string& text) {
    const auto prefix = parse_prefix(text);
    if (!prefix) return std::nullopt;
    ClientSubnet s{};
    s.family = prefix->family == 4 ? 1 : 2;
    s.source = prefix->length;
    std::copy(std::begin(prefix->bytes), std::end(prefix->bytes), s.address);
    // RFC 7871 6: address bits beyond the prefix are zero.
    for (int bit = s.source; bit < 128; ++bit)
        s.address[bit / 8] &= static_cast<std::uint8_t>(~(0x80 >> (bit % 8)));
    return s;
}

std::vector<std::uint8_t> build_query(const QuerySpec& spec) {
    ldns_pkt* made = nullptr;
    const ldns_status status =
        ldns_pkt_query_new_frm_str(&made, spec.name.c_str(), static_cast<ldns_rr_type>(spec.type),
                                   LDNS_RR_CLASS_IN, spec.rd ? LDNS_RD : 0);
    const PktPtr owned(made);
    if (status != LDNS_STATUS_OK || !owned)
        throw std::runtime_error("not a valid domain name: " + spec.name);
    ldns_pkt* pkt = owned.get();
    ldns_pkt_set_id(pkt, spec.id);
    if (spec.edns) {
        ldns_pkt_set_edns_udp_size(pkt, spec.payload);
        ldns_pkt_set_edns_version(pkt, spec.edns_version);
        ldns_pkt_set_edns_do(pkt, spec.dnssec_ok);
        std::vector<std::uint8_t> options;
        if (spec.ecs) {
            const std::size_t bytes = (spec.ecs->source + 7u) / 8;
            options = {0,
                       8,
                       0,
                       static_cast<std::uint8_t>(4 + bytes),
                       0,
                       spec.ecs->family,
                       spec.ecs->source,
                       0};
            options.insert(options.end(), spec.ecs->address, spec.ecs->address + bytes);
        }
        // An RDATA (even empty) makes ldns write the OPT record.
        ldns_pkt_set_edns_data(
            pkt, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, options.size(), options.data()));
    }
    const std::string wire = packet_wire(pkt);
    if (wire.empty()) throw std::runtime_error("cannot encode the query");
    return std::vector<std::uint8_t>(wire.begin(), wire.end());
}

} // namespace srvd::dns
