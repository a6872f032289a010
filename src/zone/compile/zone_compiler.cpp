// Compiles one zone's views into wire-format answers for every name,
// region and ordering variant.
#include "config/load_error.hpp"
#include "dns/message_writer.hpp"
#include "dns/name.hpp"
#include "dns/rr.hpp"
#include "dns/wire.hpp"
#include "dnssec/compact_denial.hpp"
#include "zone/compile/answer_store.hpp"
#include "zone/compile/compiled_zone.hpp"
#include "zone/model/weighted_order.hpp"
#include "zone/model/zone_lookup.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace srvd::zone {
namespace {

class ZoneCompiler {
  public:
    ZoneCompiler(CompiledZone& s, const CompiledZone* previous) : s_(s), answers_(s, previous) {
        // A reload or a health change gives the zone about as many entries
        // as its previous compile: arrays grown by doubling instead held up
        // to three times their size while they moved, and kept up to twice.
        if (!previous) return;
        s.entries.reserve(previous->entries.size());
        s.slots.reserve(previous->slots.size());
        s.cuts.reserve(previous->cuts.size());
        s.patches.reserve(previous->patches.size());
        s.names.reserve(previous->names.size());
        s.nodes.reserve(previous->nodes.size());
    }

    void add_zone(const ZoneData& zone) {
        const ZoneView& view0 = zone.views.front();
        has_cuts_ = std::any_of(view0.nodes.begin(), view0.nodes.end(), [&](const auto& n) {
            return n.first != view0.apex && n.second.find(dns::type::NS);
        });
        for (const auto& [name, node] : view0.nodes) try {
                add_node(zone, name);
            } catch (const config::LoadError&) {
                throw;
            } catch (const std::exception& e) {
                // A bug of ours, not the operator's: say where it struck.
                throw config::LoadError(zone.policy.zone_mark, "zone " + zone.policy.zone +
                                                                   ": compiling the answers of '" +
                                                                   dns::name_to_text(name) +
                                                                   "' failed: " + e.what());
            }
        answers_.finish();
    }

  private:
    void add_node(const ZoneData& zone, const std::string& name) {
        Node n{};
        n.exact_begin = static_cast<std::uint32_t>(s_.entries.size());
        add_exact_entries(zone, name);
        n.exact_count = static_cast<std::uint16_t>(s_.entries.size() - n.exact_begin);
        n.below_begin = static_cast<std::uint32_t>(s_.entries.size());
        add_below_entries(zone, name);
        n.below_count = static_cast<std::uint16_t>(s_.entries.size() - n.below_begin);
        s_.nodes.push_back(n);
        s_.names.push_back(name);
    }

    CompiledZone& s_;
    bool has_cuts_ = false; // a delegation below the apex: not all data is authoritative
    AnswerStore answers_;
    std::unordered_map<std::string, dns::RrPtr> nsecs_; // by owner and types
    std::unordered_map<const void*, const std::vector<dns::RrPtr>*> signed_sets_;

    // What compiling an answer found out about it.
    struct Traits {
        bool varies = false;              // a tier with several members: one answer per variant
        bool regional = false;            // a GeoIP-aware proxy's records: one answer per region
        std::vector<std::uint32_t> tiers; // the tiers with several members it ordered
    };

    // The order of tier `t`'s members in `variant`, worked out once per
    // compile (an answer asks for it per record and per variant).
    const std::vector<std::uint16_t>& order_of(const ZoneData& zone, std::uint32_t t,
                                               unsigned variant) {
        if (order_cache_.empty()) order_cache_.resize(zone.tier_weights.size() * shuffle_variants);
        auto& o = order_cache_[std::size_t{t} * shuffle_variants + variant];
        if (o.empty()) o = weighted_order(zone.tier_weights[t], variant);
        return o;
    }
    std::vector<std::vector<std::uint16_t>> order_cache_; // [tier * shuffle_variants + variant]

    // How the tiers of an answer are ordered in `variant`, appended to
    // `out`. Variants with the same orders give the same answer: a tier of
    // two has only two orders, so most of the 16 variants need not be
    // compiled at all.
    void append_orders(const ZoneData& zone, const std::vector<std::uint32_t>& tiers,
                       unsigned variant, std::vector<std::uint16_t>& out) {
        for (std::uint32_t t : tiers) {
            const auto& o = order_of(zone, t, variant);
            out.insert(out.end(), o.begin(), o.end());
        }
    }

    // Orders the records of a tiered RRset for one variant; other sets pass
    // through. The result lives in a buffer of the compiler, valid until
    // the next call (an answer's sets are written one after the other; a
    // vector per set was a heap block per set per variant).
    const std::vector<const ldns_rr*>& ordered(const ZoneData& zone, const RRset& set,
                                               unsigned variant, Traits& traits) {
        keyed_.clear();
        for (const ldns_rr* rr : set.rrs) {
            auto tag = zone.tier_tags.find(rr);
            if (tag == zone.tier_tags.end()) return set.rrs;
            traits.regional |= tag->second.regional;
            const auto& weights = zone.tier_weights[tag->second.tier];
            std::uint32_t rank = 0;
            if (weights.size() > 1) {
                traits.varies = true;
                if (std::find(traits.tiers.begin(), traits.tiers.end(), tag->second.tier) ==
                    traits.tiers.end())
                    traits.tiers.push_back(tag->second.tier);
                const auto& order = order_of(zone, tag->second.tier, variant);
                rank = static_cast<std::uint32_t>(
                    std::find(order.begin(), order.end(), tag->second.member) - order.begin());
            }
            keyed_.emplace_back((std::uint32_t{tag->second.position} << 16) | rank, rr);
        }
        std::stable_sort(keyed_.begin(), keyed_.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        ordered_.clear();
        for (const auto& k : keyed_) ordered_.push_back(k.second);
        return ordered_;
    }
    std::vector<std::pair<std::uint32_t, const ldns_rr*>> keyed_; // ordered()'s buffers
    std::vector<const ldns_rr*> ordered_;

    // The RRSIGs of an RRset: made once per distinct set (its records in
    // any order) and key, so every ordering of a shuffled set, and every
    // region and name that has it, shares them; so does the next compile
    // of the zone under the same validity (ZoneData::signature_cache). The
    // DNSKEY, CDS and CDNSKEY sets are signed by the KSKs, everything else
    // by the ZSKs (KeySet::signers).
    // `identity` (a view's RRset, an NSEC of nsecs_: alive while the zone
    // compiles) finds a set seen before without comparing its records.
    const std::vector<dns::RrPtr>& signatures(const ZoneData& zone, const void* identity,
                                              std::uint16_t type,
                                              const std::vector<const ldns_rr*>& rrs) {
        if (auto seen = signed_sets_.find(identity); seen != signed_sets_.end())
            return *seen->second;
        std::vector<std::string> records;
        // Each record as bytes (text would cost more than a third of a large
        // signed zone's compile time).
        for (const ldns_rr* rr : rrs) records.push_back(dns::record_bytes(rr));
        std::sort(records.begin(), records.end());
        std::string key;
        for (const auto& r : records) dns::append_uint(key, r.size(), 2), key += r;
        auto& cache = *zone.signature_cache;
        auto [it, fresh] = cache.by_content.try_emplace(std::move(key));
        if (fresh) {
            for (const dnssec::ZoneKey* k : zone.key_set.signers(type))
                if (auto sig = dnssec::sign_rrset(rrs, *k, zone.validity))
                    it->second.signatures.push_back(std::move(sig));
        }
        it->second.used_by = cache.compiles;
        signed_sets_.emplace(identity, &it->second.signatures);
        return it->second.signatures;
    }

    // Whether a set is the zone's own data, which is signed: not a
    // delegation's NS nor anything at or below a cut but the DS there
    // (RFC 4035 2.2).
    bool authoritative_set(const ZoneView& view, const RRset& set) const {
        if (!has_cuts_ || set.rrs.empty()) return true;
        const std::string owner = dns::owner_key(set.rrs.front());
        const auto cut = find_cut(view, owner);
        return !cut || (set.type == dns::type::DS && *cut == owner);
    }

    // A query with DO for the NSEC or RRSIG of a name that exists, at a
    // CNAME too (RFC 4035 3.1.4.1 leaves them out of chains): the name's
    // NSEC as its denials carry it, or the RRSIGs of its sets and of that
    // NSEC (RRSIGs are not signed themselves, RFC 4034 3). Null otherwise:
    // the usual lookup answers.
    std::optional<dns::CompiledMessage> compile_dnssec_meta(const ZoneData& zone,
                                                            const ZoneView& view,
                                                            std::string_view qname,
                                                            std::uint16_t qtype) {
        const ViewNode* node = view.find(qname);
        if (!node || find_cut(view, qname)) return std::nullopt;
        const ldns_rr* nsec =
            nsec_at(std::string(qname), node_types(*node), negative_ttl(view, qname));
        if (!nsec) return std::nullopt;
        auto w = dns::MessageWriter::for_name(qname);
        const auto& nsec_sigs = signatures(zone, nsec, dns::type::NSEC, {nsec});
        if (qtype == dns::type::NSEC) {
            w.add(dns::Section::answer, nsec, true);
            for (const auto& sig : nsec_sigs) w.add(dns::Section::answer, sig.get(), true);
        } else {
            for (const auto& set : node->rrsets)
                if (!set.rrs.empty())
                    for (const auto& sig : signatures(zone, &set, set.type, set.rrs))
                        w.add(dns::Section::answer, sig.get(), true);
            for (const auto& sig : nsec_sigs) w.add(dns::Section::answer, sig.get(), true);
        }
        return w.finish(dns::rcode::NOERROR, true);
    }

    static std::vector<std::uint16_t> node_types(const ViewNode& node) {
        std::vector<std::uint16_t> types;
        for (const auto& set : node.rrsets) types.push_back(set.type);
        return types;
    }

    // `dnssec`: each RRset followed by its RRSIGs (RFC 4035 3.1.1), for
    // queries with the DO bit.
    dns::CompiledMessage compile(const ZoneData& zone, const ZoneView& view, std::string_view qname,
                                 std::uint16_t qtype, std::string_view anchor, unsigned variant,
                                 Traits& traits, bool dnssec) {
        if (dnssec && anchor.empty() && (qtype == dns::type::NSEC || qtype == dns::type::RRSIG))
            if (auto m = compile_dnssec_meta(zone, view, qname, qtype)) return *m;
        LookupResult r = lookup(view, qname, qtype);
        // A GeoIP-aware proxy's names make the answer regional even when this
        // view has none of its records (a region emptied by serve-none, say):
        // the other regions may still have theirs. (Once known, not asked
        // again: the variants and regions compiled after the first.)
        if (!zone.regional_owners.empty() && !traits.regional) {
            traits.regional |= zone.regional_owners.count(std::string(qname)) > 0;
            for (const auto& section : r.sections)
                for (const LookupItem& item : section)
                    if (!item.set->rrs.empty())
                        traits.regional |=
                            zone.regional_owners.count(dns::owner_key(item.set->rrs.front())) > 0;
        }
        auto w = anchor.empty() ? dns::MessageWriter::for_name(qname)
                                : dns::MessageWriter::for_names_below(anchor);
        const auto add_set = [&](int section, const LookupItem& item) {
            for (const ldns_rr* rr : ordered(zone, *item.set, variant, traits))
                w.add(static_cast<dns::Section>(section), rr, item.owner_is_qname, item.owner,
                      item.ttl);
            if (dnssec && !item.set->rrs.empty() && authoritative_set(view, *item.set))
                for (const auto& sig : signatures(zone, item.set, item.set->type, item.set->rrs))
                    w.add(static_cast<dns::Section>(section), sig.get(), item.owner_is_qname,
                          item.owner, item.ttl);
        };
        for (int section = 0; section < 2; ++section)
            for (const LookupItem& item : r.sections[section]) add_set(section, item);
        // The authority section's DNSSEC records follow its sets, before
        // any additional record (glue): a referral's DS and its RRSIG
        // (RFC 4035 3.1.4), or the NSEC proving a denial or that there is
        // no DS.
        if (dnssec) {
            if (const RRset* ds = referral_ds(view, r))
                add_set(1, LookupItem{ds, {}, false, std::nullopt});
            if (const ldns_rr* nsec = denial_nsec(view, qname, r)) {
                const bool at_qname = anchor.empty() && dns::owner_key(nsec) == qname;
                w.add(dns::Section::authority, nsec, at_qname);
                for (const auto& sig : signatures(zone, nsec, dns::type::NSEC, {nsec}))
                    w.add(dns::Section::authority, sig.get(), at_qname);
            }
        }
        for (const LookupItem& item : r.sections[2]) {
            add_set(2, item);
            w.end_additional_rrset();
        }
        dns::CompiledMessage m = w.finish(r.rcode, r.authoritative);
        m.required_arcount = r.required_additional;
        return m;
    }

    static bool is_referral(const LookupResult& r) {
        return !r.authoritative && !r.sections[1].empty() &&
               r.sections[1].front().set->type == dns::type::NS;
    }

    // A referral's DS set, if the cut has one.
    static const RRset* referral_ds(const ZoneView& view, const LookupResult& r) {
        if (!is_referral(r)) return nullptr;
        const ViewNode* cut = view.find(dns::owner_key(r.sections[1].front().set->rrs.front()));
        return cut ? cut->find(dns::type::DS) : nullptr;
    }

    // The NSEC a signed negative answer needs that is known before the
    // query (RFC 9824): NODATA at an existing name (an empty non-terminal
    // too, and the wildcard for a name it matches without the type), a
    // CNAME chain's missing target, and a delegation without DS. Names that
    // do not exist and wildcard matches get theirs per query
    // (dnssec::DenialSigner). Whether NXDOMAIN is then sent as NOERROR
    // (RFC 9824 3 and 5, the CO flag) is the answer engine's decision.
    const ldns_rr* denial_nsec(const ZoneView& view, std::string_view qname,
                               const LookupResult& r) {
        // A negative answer is about the end of its CNAME chain, if any.
        std::string owner(qname);
        const auto& answers = r.sections[0];
        if (!answers.empty() && answers.back().set->type == dns::type::CNAME)
            owner = dns::rdata_name(answers.back().set->rrs.front(), 0);
        std::vector<std::uint16_t> types;
        const bool negative = r.authoritative && !r.sections[1].empty() &&
                              r.sections[1].front().set->type == dns::type::SOA;
        if (negative && r.rcode == dns::rcode::NXDOMAIN) {
            // The chain's target does not exist: known now, so compiled
            // (the query name's own absence is signed per query).
            if (answers.empty()) return nullptr;
            types.push_back(dns::type::NXNAME);
        } else if (!negative && is_referral(r)) {
            owner = dns::owner_key(r.sections[1].front().set->rrs.front());
        } else if (!negative) {
            return nullptr;
        }
        if (types.empty()) { // NODATA at the name or no DS at the cut: its types
            const ViewNode* node = view.find(owner);
            if (!node || node->find(dns::type::DS)) return nullptr;
            types = node_types(*node);
        }
        return nsec_at(owner, std::move(types), negative_ttl(view, owner));
    }

    // The compact NSEC at `owner` with `types`, made once per zone compile.
    const ldns_rr* nsec_at(const std::string& owner, std::vector<std::uint16_t> types,
                           std::uint32_t ttl) {
        std::string key = owner + '|' + std::to_string(ttl);
        std::sort(types.begin(), types.end());
        for (std::uint16_t t : types) key += ',' + std::to_string(t);
        auto [it, fresh] = nsecs_.try_emplace(std::move(key));
        if (fresh) it->second = dnssec::compact_nsec(owner, std::move(types), ttl);
        return it->second.get();
    }

    // Every region's and variant's message for one entry: at(region,
    // variant). Variants that order their tiers alike share one message.
    struct Messages {
        std::vector<dns::CompiledMessage> distinct;
        std::vector<std::vector<std::uint16_t>> m; // [region][variant]: index in `distinct`
        unsigned variants = 1;
        const dns::CompiledMessage& at(std::size_t r, unsigned v) const {
            return distinct[m[r][v]];
        }
        bool same(std::size_t r1, unsigned v1, std::size_t r2, unsigned v2) const {
            return m[r1][v1] == m[r2][v2] || at(r1, v1) == at(r2, v2);
        }
    };

    // Compile the first view; the others only when a GeoIP-aware proxy's
    // records are in the answer, the variants only when a tier has several
    // members. Most names need one compilation.
    Messages build(const ZoneData& zone, std::string_view qname, std::uint16_t qtype,
                   std::string_view anchor, bool dnssec) {
        Traits traits;
        Messages out;
        auto& m = out.m;
        const auto add = [&](std::size_t r, dns::CompiledMessage message) {
            m[r].push_back(static_cast<std::uint16_t>(out.distinct.size()));
            out.distinct.push_back(std::move(message));
        };
        m.resize(1);
        std::vector<std::vector<std::uint32_t>> tiers(1);
        add(0, compile(zone, zone.views[0], qname, qtype, anchor, 0, traits, dnssec));
        tiers[0] = traits.tiers;
        const std::size_t regions = traits.regional ? zone.views.size() : 1;
        m.resize(regions);
        tiers.resize(regions);
        for (std::size_t r = 1; r < regions; ++r) {
            Traits region;
            add(r, compile(zone, zone.views[r], qname, qtype, anchor, 0, region, dnssec));
            tiers[r] = std::move(region.tiers);
            traits.varies |= region.varies;
        }
        out.variants = traits.varies ? shuffle_variants : 1;
        for (std::size_t r = 0; r < regions; ++r) {
            // Each variant's orders, one after the other (all of one length).
            seen_.clear();
            append_orders(zone, tiers[r], 0, seen_);
            const std::size_t length = seen_.size();
            for (unsigned v = 1; v < out.variants; ++v) {
                append_orders(zone, tiers[r], v, seen_);
                const auto mine = seen_.end() - static_cast<std::ptrdiff_t>(length);
                unsigned same_as = 0;
                while (same_as < v &&
                       !std::equal(mine, seen_.end(),
                                   seen_.begin() + static_cast<std::ptrdiff_t>(same_as * length)))
                    ++same_as;
                if (same_as < v)
                    m[r].push_back(m[r][same_as]);
                else
                    add(r, compile(zone, zone.views[r], qname, qtype, anchor, v, traits, dnssec));
            }
        }
        return out;
    }
    std::vector<std::uint16_t> seen_; // build()'s buffer

    // One entry: the answer per region and per variant, each distinct answer
    // stored once; for a signed zone, all of them again with RRSIGs. `anchor`
    // empty: for `qname` itself; else for names below `anchor` (qname is then
    // the "*.anchor" stand-in).
    void add_entry(const ZoneData& zone, std::string_view qname, std::uint16_t qtype,
                   std::string_view anchor = {}) {
        const Messages plain = build(zone, qname, qtype, anchor, false);
        const std::size_t regions = plain.m.size();
        const unsigned variants = plain.variants;
        bool same = true;
        for (std::size_t r = 1; r < regions && same; ++r)
            for (unsigned v = 0; v < variants && same; ++v) same = plain.same(r, v, 0, v);
        TypeEntry e{qtype, static_cast<std::uint16_t>(same ? 1 : regions),
                    static_cast<std::uint16_t>(variants),
                    static_cast<std::uint32_t>(s_.slots.size()), 0};
        for (std::size_t r = 0; r < regions; ++r) {
            bool uniform = true;
            for (unsigned v = 1; v < variants && uniform; ++v) uniform = plain.same(r, v, r, 0);
            if (r >= 32 || !uniform) e.varying_regions |= r >= 32 ? 0x80000000u : 1u << r;
        }
        store_all(e, plain, false);
        // Signed answers have the same shape: the same records, each set
        // followed by its RRSIGs, which are the same whatever the order.
        if (zone.keys) {
            e.signed_first_slot = static_cast<std::uint32_t>(s_.slots.size());
            store_all(e, build(zone, qname, qtype, anchor, true), true);
        }
        s_.entries.push_back(e);
    }

    void store_all(const TypeEntry& e, const Messages& m, bool dnssec) {
        s_.slots.resize(s_.slots.size() + std::size_t{e.regions} * e.variants);
        for (std::uint32_t r = 0; r < e.regions; ++r)
            for (unsigned v = 0; v < e.variants; ++v)
                answers_.store(m.at(r, v), e.slot(r, v, dnssec));
    }

    // The types worth an entry of their own at `name`: those present there,
    // and those at the end of a CNAME chain starting there.
    static std::set<std::uint16_t> types_at(const ZoneView& view, std::string_view name) {
        std::set<std::uint16_t> types;
        if (auto cut = find_cut(view, name)) {
            if (*cut == name) types.insert(dns::type::DS);
            return types;
        }
        std::string at(name);
        for (int hops = 0; hops < 8; ++hops) {
            const ViewNode* node = view.find(at);
            if (!node) break;
            for (const auto& set : node->rrsets) types.insert(set.type);
            const RRset* cname = node->find(dns::type::CNAME);
            if (!cname) break;
            at = dns::rdata_name(cname->rrs.front(), 0);
        }
        types.insert(dns::type::ANY);
        return types;
    }

    // The types of every view: a region may have records at a name that
    // another region (emptied by health checks) has none of.
    static std::set<std::uint16_t> types_at(const ZoneData& zone, std::string_view name) {
        std::set<std::uint16_t> types = types_at(zone.views.front(), name);
        if (!zone.regional_owners.empty())
            for (std::size_t v = 1; v < zone.views.size(); ++v) {
                const auto more = types_at(zone.views[v], name);
                types.insert(more.begin(), more.end());
            }
        return types;
    }

    void add_exact_entries(const ZoneData& zone, const std::string& name) {
        std::set<std::uint16_t> types = types_at(zone, name);
        // With DO, a name's NSEC and RRSIG are answered as records it has.
        if (zone.keys && !find_cut(zone.views.front(), name))
            types.insert({dns::type::NSEC, dns::type::RRSIG});
        for (std::uint16_t t : types) add_entry(zone, name, t);
        add_entry(zone, name, 0);
    }

    // Names below `name` that do not exist: looked up as "*.name", which
    // finds the wildcard if there is one, the NXDOMAIN or the referral if not.
    void add_below_entries(const ZoneData& zone, const std::string& name) {
        if (name.size() + 2 > dns::max_name_size) return; // nothing can lie below
        const std::string wildcard = std::string("\x01*", 2) + name;
        if (zone.views.front().find(wildcard))
            for (std::uint16_t t : types_at(zone, wildcard)) add_entry(zone, wildcard, t, name);
        add_entry(zone, wildcard, 0, name);
    }
};

} // namespace

std::size_t CompiledZone::memory() const {
    std::size_t names_bytes = 0;
    for (const auto& n : names) names_bytes += n.capacity();
    return bytes_written + entries.capacity() * sizeof(TypeEntry) +
           slots.capacity() * sizeof(Answer) + cuts.capacity() * sizeof(dns::Cut) +
           patches.capacity() * sizeof(dns::Patch) + names_bytes + nodes.capacity() * sizeof(Node);
}

std::shared_ptr<const CompiledZone> compile_zone(const ZoneData& zone,
                                                 const CompiledZone* previous) {
    auto c = std::make_shared<CompiledZone>();
    if (zone.signature_cache) ++zone.signature_cache->compiles;
    ZoneCompiler(*c, previous).add_zone(zone);
    if (zone.keys) {
        auto denial = dnssec::make_denial_signer(
            zone.key_set, zone.apex, negative_ttl(zone.default_view().soa), zone.validity);
        // A wildcard match's cover may have to be its parent's or its own
        // NSEC (DenialSigner::write_cover): their types.
        for (const auto& [name, node] : zone.default_view().nodes) {
            if (name.size() < 2 || name[0] != 1 || name[1] != '*') continue;
            std::vector<std::uint16_t> types;
            for (const auto& set : node.rrsets) types.push_back(set.type);
            denial->add_types(name, dnssec::nsec_bitmap(types));
            const std::string parent = name.substr(2);
            types.clear();
            if (const ViewNode* p = zone.default_view().find(parent))
                for (const auto& set : p->rrsets) types.push_back(set.type);
            denial->add_types(parent, dnssec::nsec_bitmap(types));
        }
        c->denial = std::move(denial);
    }
    return c;
}

} // namespace srvd::zone
