#include "zone/model/zone_lookup.hpp"

#include "dns/name.hpp"
#include "dns/wire.hpp"

#include <algorithm>

namespace srvd::zone {
namespace {

// Long enough for any sane chain, short enough that a loop ends quickly.
constexpr int max_cname_chain = 8;

class Lookup {
  public:
    Lookup(const ZoneView& view, std::string_view qname, std::uint16_t qtype)
        : view_(view), qname_(qname), qtype_(qtype) {}

    LookupResult run() {
        std::string name(qname_);
        for (int chain = 0;; ++chain) {
            if (auto cut = find_cut(view_, name);
                cut && !(*cut == name && qtype_ == dns::type::DS)) {
                if (result_.sections[0].empty()) referral(*cut);
                return result_;
            }
            const ViewNode* node = view_.find(name);
            std::string synthesized; // owner of wildcard-synthesized records
            if (!node) {
                std::string_view encloser = name;
                while (!view_.find(encloser)) encloser = dns::parent_name(encloser);
                std::string wildcard = std::string("\x01*", 2) + std::string(encloser);
                node = view_.find(wildcard);
                if (!node) {
                    result_.rcode = dns::rcode::NXDOMAIN;
                    negative(name);
                    return result_;
                }
                synthesized = name;
            }
            const RRset* cname = node->find(dns::type::CNAME);
            if (cname && qtype_ != dns::type::CNAME && qtype_ != dns::type::ANY) {
                add(0, cname, name, synthesized);
                std::string target = dns::rdata_name(cname->rrs.front(), 0);
                if (chain + 1 >= max_cname_chain || !dns::is_at_or_below(target, view_.apex) ||
                    std::find(visited_.begin(), visited_.end(), target) != visited_.end())
                    return result_;
                visited_.push_back(name);
                name = target;
                continue;
            }
            if (qtype_ == dns::type::ANY) {
                // RFC 8482: one RRset is enough; prefer the one SIP clients use.
                const RRset* pick = node->find(dns::type::NAPTR);
                if (!pick && !node->rrsets.empty()) pick = &node->rrsets.front();
                if (pick) {
                    add(0, pick, name, synthesized);
                    return result_;
                }
            } else if (const RRset* set = node->find(qtype_)) {
                add(0, set, name, synthesized);
                add_additional_for(set);
                return result_;
            }
            negative(name);
            return result_;
        }
    }

  private:
    const ZoneView& view_;
    std::string_view qname_;
    std::uint16_t qtype_;
    LookupResult result_;
    std::vector<std::string> visited_;

    void add(int section, const RRset* set, const std::string& name, const std::string& synthesized,
             std::optional<std::uint32_t> ttl = std::nullopt) {
        for (const auto& item : result_.sections[section])
            if (item.set == set && (synthesized.empty() || item.owner == synthesized)) return;
        LookupItem item{set, synthesized, name == qname_, ttl};
        result_.sections[section].push_back(std::move(item));
    }

    // `name`: what the answer denies (the end of a CNAME chain).
    void negative(std::string_view name) {
        const RRset* set = view_.find(view_.apex)->find(dns::type::SOA);
        add(1, set, view_.apex, {}, negative_ttl(view_, name));
    }

    void add_addresses(const std::string& target) {
        if (!dns::is_at_or_below(target, view_.apex)) return;
        const ViewNode* node = view_.find(target);
        if (!node) return;
        for (std::uint16_t t : {dns::type::A, dns::type::AAAA})
            if (const RRset* set = node->find(t)) add(2, set, target, {});
    }

    void add_additional_for(const RRset* set) {
        switch (set->type) {
        case dns::type::NS:
        case dns::type::SRV:
        case dns::type::MX: {
            const std::size_t field = set->type == dns::type::NS   ? 0
                                      : set->type == dns::type::MX ? 1
                                                                   : 3;
            for (const ldns_rr* rr : set->rrs) add_addresses(dns::rdata_name(rr, field));
            break;
        }
        case dns::type::NAPTR: {
            // RFC 3403 / RFC 3263: an "S" record leads to SRV, which leads to
            // addresses. In the order a phone uses them, each SRV set followed
            // by its targets' addresses: when the answer must be cut short
            // (512 bytes without EDNS), what is kept is a whole first
            // choice, not SRV sets whose targets the phone must look up.
            for (const ldns_rr* rr : set->rrs) {
                const ldns_rdf* flags = ldns_rr_rdf(rr, 2);
                const std::string replacement = dns::rdata_name(rr, 5);
                std::string f(reinterpret_cast<const char*>(ldns_rdf_data(flags)) + 1,
                              ldns_rdf_size(flags) - 1);
                const ViewNode* node = dns::is_at_or_below(replacement, view_.apex)
                                           ? view_.find(replacement)
                                           : nullptr;
                if (!node) continue;
                if (f == "S" || f == "s") {
                    if (const RRset* srv = node->find(dns::type::SRV)) {
                        add(2, srv, replacement, {});
                        for (const ldns_rr* target : srv->rrs)
                            add_addresses(dns::rdata_name(target, 3));
                    }
                } else if (f == "A" || f == "a") {
                    add_addresses(replacement);
                }
            }
            break;
        }
        default:
            break;
        }
    }

    void referral(const std::string& cut) {
        result_.authoritative = false;
        const RRset* ns = view_.find(cut)->find(dns::type::NS);
        add(1, ns, cut, {});
        // In-domain glue first (RFC 9471: it must all fit, else TC), then
        // the sibling glue that merely saves the resolver a lookup.
        for (const ldns_rr* rr : ns->rrs)
            if (dns::is_at_or_below(dns::rdata_name(rr, 0), cut))
                add_addresses(dns::rdata_name(rr, 0));
        for (const auto& item : result_.sections[2])
            result_.required_additional += static_cast<std::uint16_t>(item.set->rrs.size());
        for (const ldns_rr* rr : ns->rrs) add_addresses(dns::rdata_name(rr, 0));
    }
};

} // namespace

std::uint32_t negative_ttl(const ldns_rr* soa) {
    return std::min(ldns_rr_ttl(soa), ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)));
}

std::uint32_t negative_ttl(const ZoneView& view, std::string_view name) {
    const std::uint32_t ttl = negative_ttl(view.soa);
    for (std::string_view n = name; n.size() > view.apex.size(); n = dns::parent_name(n))
        if (auto proxy = view.proxy_ttls.find(n); proxy != view.proxy_ttls.end())
            return std::min(ttl, proxy->second);
    return ttl;
}

std::optional<std::string> find_cut(const ZoneView& view, std::string_view name) {
    std::optional<std::string> cut;
    for (std::string_view n = name; n.size() > view.apex.size(); n = dns::parent_name(n)) {
        const ViewNode* node = view.find(n);
        if (node && node->find(dns::type::NS)) cut = std::string(n); // keep the highest
    }
    return cut;
}

LookupResult lookup(const ZoneView& view, std::string_view qname, std::uint16_t qtype) {
    return Lookup(view, qname, qtype).run();
}

} // namespace srvd::zone
