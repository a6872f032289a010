#include "zone/model/answer_diff.hpp"

#include "dns/name.hpp"
#include "dns/rr.hpp"

#include <set>

namespace srvd::zone {
namespace {

std::vector<std::string> rdata_texts(const ViewNode* node, std::uint16_t type) {
    std::vector<std::string> out;
    if (!node) return out;
    if (const RRset* set = node->find(type))
        for (const ldns_rr* rr : set->rrs) {
            std::string text;
            for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
                if (i) text += ' ';
                text += dns::rdf_to_text(ldns_rr_rdf(rr, i));
            }
            out.push_back(std::move(text));
        }
    return out;
}

} // namespace

std::vector<AnswerChange> answer_changes(const ZoneData& before, const ZoneData& after) {
    std::vector<AnswerChange> out;
    const auto& regions = before.policy.regions;
    for (std::size_t v = 0; v < before.views.size() && v < after.views.size(); ++v) {
        const ZoneView &a = before.views[v], &b = after.views[v];
        std::set<std::string_view> names;
        for (const auto& [name, node] : a.nodes) names.insert(name);
        for (const auto& [name, node] : b.nodes) names.insert(name);
        for (std::string_view name : names) {
            const ViewNode *x = a.find(name), *y = b.find(name);
            std::set<std::uint16_t> types;
            for (const ViewNode* n : {x, y})
                if (n)
                    for (const auto& set : n->rrsets) types.insert(set.type);
            for (std::uint16_t type : types) {
                auto was = rdata_texts(x, type), now = rdata_texts(y, type);
                if (was == now) continue;
                out.push_back({v < regions.size() ? regions[v].name : std::string(),
                               dns::name_to_text(name), type, std::move(was), std::move(now)});
            }
        }
    }
    return out;
}

} // namespace srvd::zone
