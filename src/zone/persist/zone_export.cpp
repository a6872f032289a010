#include "zone/persist/zone_export.hpp"

#include "dnssec/zone_signer.hpp"

#include "dns/rr.hpp"

#include <memory>

namespace srvd::zone {

void export_zone(const ZoneData& zone, std::size_t view_index, std::ostream& out) {
    const ZoneView& view = zone.views.at(view_index);
    out << "; zone " << zone.policy.zone << " exported by srvd " << SRVD_VERSION << " from "
        << zone.policy.file;
    if (!zone.policy.regions.empty()) out << ", region " << zone.policy.regions[view_index].name;
    out << "\n$ORIGIN " << zone.policy.zone << "\n";
    out << dns::rr_to_text(view.soa) << "\n";
    // ldns sorts in DNSSEC canonical order (RFC 4034 6.1), as NSD and Knot print.
    std::unique_ptr<ldns_rr_list, decltype(&ldns_rr_list_free)> list(ldns_rr_list_new(),
                                                                     ldns_rr_list_free);
    for (const auto& [name, node] : view.nodes)
        for (const auto& set : node.rrsets)
            for (const ldns_rr* rr : set.rrs)
                if (rr != view.soa) ldns_rr_list_push_rr(list.get(), const_cast<ldns_rr*>(rr));
    // A signed zone is exported signed, NSEC chain and all, as its
    // secondaries get it (ldns-verify-zone reads it).
    std::vector<dns::RrPtr> signatures;
    if (zone.keys) {
        std::vector<const ldns_rr*> records;
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(list.get()); ++i)
            records.push_back(ldns_rr_list_rr(list.get(), i));
        signatures = dnssec::sign_zone(view.soa, records, zone.key_set, zone.validity);
        for (const auto& rr : signatures) ldns_rr_list_push_rr(list.get(), rr.get());
    }
    ldns_rr_list_sort(list.get());
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list.get()); ++i)
        out << dns::rr_to_text(ldns_rr_list_rr(list.get(), i)) << "\n";
}

} // namespace srvd::zone
