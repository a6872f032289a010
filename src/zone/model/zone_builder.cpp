// Expands a zone policy into records, one view per region.
#include "zone/model/zone_builder.hpp"

#include "dns/name.hpp"
#include "dns/rr.hpp"
#include "dns/wire.hpp"
#include "zone/model/health_ordering.hpp"
#include "zone/model/zone_lookup.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <array>
#include <ctime>
#include <optional>
#include <unordered_map>

namespace srvd::zone {
namespace {

const char* service_of(config::Transport t) {
    return t == config::Transport::udp   ? "SIP+D2U"
           : t == config::Transport::tcp ? "SIP+D2T"
                                         : "SIPS+D2T";
}
const char* srv_prefix_of(config::Transport t) {
    return t == config::Transport::udp   ? "_sip._udp."
           : t == config::Transport::tcp ? "_sip._tcp."
                                         : "_sips._tcp.";
}
std::string address_record(const std::string& owner, std::uint32_t ttl,
                           const std::string& address) {
    const bool v6 = boost::asio::ip::make_address(address).is_v6();
    return owner + " " + std::to_string(ttl) + (v6 ? " IN AAAA " : " IN A ") + address;
}

bool same_ordering(const config::Ordering& a, const config::Ordering& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].size() != b[i].size()) return false;
        for (std::size_t j = 0; j < a[i].size(); ++j)
            if (a[i][j].server != b[i][j].server || a[i][j].weight != b[i][j].weight) return false;
    }
    return true;
}

class ZoneBuilder {
  public:
    ZoneBuilder(config::ZonePolicy policy, BuildOptions o)
        : data_(std::make_shared<ZoneData>()), signed_as_(o.signed_as), renew_at_(o.renew_at),
          key_time_(o.key_time), served_(o.served) {
        data_->policy = std::move(policy);
        data_->health = std::move(o.health);
        data_->health.resize(data_->policy.media_servers.size());
        origin_.reset(ldns_dname_new_frm_str(data_->policy.zone.c_str()));
        if (!origin_)
            throw config::LoadError(data_->policy.zone_mark, "zone: not a valid domain name");
        data_->apex = *dns::name_from_text(data_->policy.zone);
    }

    std::shared_ptr<ZoneData> build() {
        const config::ZonePolicy& p = data_->policy;
        check_size(p);
        data_->views.resize(p.view_count());
        for (auto& v : data_->views) v.apex = data_->apex;
        add_static_records();
        if (p.dnssec) add_keys(*p.dnssec);
        for (const auto& proxy : p.proxies) add_proxy(proxy);
        for (auto& view : data_->views) add_empty_non_terminals(view);
        check_cname_conflicts();
        if (p.dnssec) check_key_schedule(*p.dnssec);
        return data_;
    }

  private:
    std::shared_ptr<ZoneData> data_;
    const ZoneData* signed_as_;
    std::int64_t renew_at_;
    std::int64_t key_time_;
    const ZoneData* served_; // shares its records equal to ours (keep())
    std::unordered_multimap<std::size_t, std::uint32_t> served_index_; // by record_bytes hash
    bool served_indexed_ = false;
    std::vector<bool> served_taken_;
    std::size_t next_served_ = 0;

    // The zone's keys and what the apex publishes of them: every key's
    // DNSKEY, and for the parent's automation the KSKs' CDS (SHA-256) and
    // CDNSKEY (RFC 7344, RFC 8078).
    void add_keys(const config::DnssecPolicy& d) {
        data_->signature_cache = std::make_shared<ZoneData::SignatureCache>();
        if (signed_as_ && signed_as_->keys) {
            data_->keys = signed_as_->keys;
            data_->validity = renew_at_ ? dnssec::validity_from(renew_at_, d.rrsig_lifetime_days)
                                        : signed_as_->validity;
            data_->key_time = key_time_ ? key_time_ : signed_as_->key_time;
            // Other keys sign: nothing signed before may be reused.
            if (!renew_at_ && data_->key_time == signed_as_->key_time)
                data_->signature_cache = signed_as_->signature_cache;
        } else {
            std::vector<dnssec::KeyFile> files;
            for (const auto& k : d.keys) files.push_back({k.path, k.mark});
            data_->keys = std::make_shared<const dnssec::ZoneKeys>(
                dnssec::load_zone_keys(data_->policy.zone, files, d.keys_mark));
            data_->key_time = key_time_ ? key_time_ : std::time(nullptr);
            data_->validity =
                dnssec::validity_from(dnssec::day_start(data_->key_time), d.rrsig_lifetime_days);
        }
        data_->key_set = data_->keys->at(data_->key_time);
        std::vector<const dnssec::ZoneKey*> all;
        for (const auto& k : data_->keys->keys) all.push_back(&k);
        data_->next_key_event = dnssec::next_event(all, data_->key_time);
        const std::uint32_t ttl = data_->policy.ttl;
        const auto publish = [&](dns::RrPtr rr, ldns_rr_type type) {
            ldns_rr_set_type(rr.get(), type);
            insert_all(keep(std::move(rr)), true);
        };
        for (const dnssec::ZoneKey* k : data_->key_set.published)
            publish(dnssec::published_dnskey(*k, ttl), LDNS_RR_TYPE_DNSKEY);
        for (const dnssec::ZoneKey* k : data_->key_set.ksks()) {
            publish(dnssec::ds_record(*k, ttl), LDNS_RR_TYPE_CDS);
            publish(dnssec::published_dnskey(*k, ttl), LDNS_RR_TYPE_CDNSKEY);
        }
    }

    // A key schedule that would leave validators with nothing to verify is
    // refused where the keys are listed (checked once the zone's records,
    // and so its largest TTL, are known).
    void check_key_schedule(const config::DnssecPolicy& d) {
        if (signed_as_) return; // checked when the keys were read
        std::uint32_t max_ttl = negative_ttl(data_->default_view().soa);
        for (const auto& rr : data_->storage) max_ttl = std::max(max_ttl, ldns_rr_ttl(rr.get()));
        std::vector<const dnssec::ZoneKey*> all;
        for (const auto& k : data_->keys->keys) all.push_back(&k);
        const dnssec::ScheduleLimits limits{data_->policy.ttl, max_ttl, d.propagation_delay,
                                            d.parent_delay};
        config::ErrorList errors;
        for (const auto& problem : dnssec::schedule_problems(all, limits, data_->key_time))
            errors.attempt([&] {
                throw config::LoadError(d.keys_mark,
                                        "dnssec.keys: the keys' timing metadata would leave the "
                                        "zone bogus: " +
                                            problem);
            });
        errors.throw_if_any();
    }

    // Upper bounds on what one zone may generate, checked before generating
    // anything, so a policy that would exhaust memory gets an error instead.
    static constexpr std::uint64_t max_records = 5'000'000, max_names = 1'000'000;

    void check_size(const config::ZonePolicy& p) const {
        std::uint64_t records = p.records.size() + p.nameservers.size() * 3,
                      names = p.records.size() + 1;
        for (const auto& ms : p.media_servers) records += ms.addresses.size(), ++names;
        for (const auto& proxy : p.proxies) {
            std::uint64_t members = 0;
            for (const auto& ordering : proxy.orderings)
                for (const auto& tier : ordering) members += tier.size();
            records += proxy.transports.size() * (1 + members) + members * 2;
            names += 1 + 2 * proxy.transports.size();
        }
        if (records > max_records)
            throw config::LoadError(
                p.zone_mark, "the zone would have about " + std::to_string(records) +
                                 " records over its regions; the limit is " +
                                 std::to_string(max_records) + " (split it into several zones)");
        if (names > max_names)
            throw config::LoadError(p.zone_mark,
                                    "the zone would have about " + std::to_string(names) +
                                        " names; the limit is " + std::to_string(max_names));
    }
    dns::RdfPtr origin_;

    const ldns_rr* parse(const std::string& text, const config::SourceMark& mark) {
        std::string error;
        auto rr = dns::parse_rr(text, origin_.get(), data_->policy.ttl, error);
        if (!rr) throw config::LoadError(mark, "record does not parse (" + error + "): " + text);
        const std::string owner = dns::owner_key(rr.get());
        if (!dns::is_at_or_below(owner, data_->apex))
            throw config::LoadError(mark, "name '" + dns::name_to_text(owner) +
                                              "' falls outside the zone " + data_->policy.zone);
        if (ldns_rr_get_class(rr.get()) != LDNS_RR_CLASS_IN)
            throw config::LoadError(mark, "only class IN is served: " + text);
        if (dns::has_name_too_long(rr.get()))
            throw config::LoadError(mark, "a name of this record is longer than a domain name may "
                                          "be (255 bytes) in zone " +
                                              data_->policy.zone + ": " + text);
        return keep(std::move(rr));
    }

    // `generated`: a proxy's own record, distinct by construction, so the
    // (costly, canonical-form) duplicate check is skipped.
    static void insert(ZoneView& view, const ldns_rr* rr, const std::string& owner,
                       bool generated = false) {
        ViewNode& node = view.nodes[owner];
        const auto type = static_cast<std::uint16_t>(ldns_rr_get_type(rr));
        for (auto& set : node.rrsets)
            if (set.type == type) {
                if (!generated)
                    for (const ldns_rr* existing : set.rrs)
                        if (ldns_rr_compare(existing, rr) == 0) return; // duplicate line
                set.rrs.push_back(rr);
                return;
            }
        node.rrsets.push_back({type, {rr}});
    }

    void insert_all(const ldns_rr* rr, bool generated = false) {
        const std::string owner = dns::owner_key(rr);
        for (auto& view : data_->views) insert(view, rr, owner, generated);
    }

    void add_static_records() {
        const config::ZonePolicy& p = data_->policy;
        const std::string ttl = std::to_string(p.ttl);
        const config::Soa& s = p.soa;
        const ldns_rr* soa =
            parse(p.zone + " " + ttl + " IN SOA " + s.primary + " " + s.contact + " " +
                      std::to_string(s.serial) + " " + std::to_string(s.refresh) + " " +
                      std::to_string(s.retry) + " " + std::to_string(s.expire) + " " +
                      std::to_string(s.minimum),
                  p.zone_mark);
        insert_all(soa);
        for (auto& v : data_->views) v.soa = soa;
        for (const auto& ns : p.nameservers) {
            insert_all(parse(p.zone + " " + ttl + " IN NS " + ns.name, ns.mark));
            for (const auto& a : ns.addresses) {
                const ldns_rr* rr = parse(address_record(ns.name, p.ttl, a), ns.mark);
                insert_all(rr);
            }
        }
        // Built like the proxies' records (see below): a platform repeats its
        // media servers in every partner zone.
        for (std::size_t i = 0; i < p.media_servers.size(); ++i) {
            const ServerRdfs& server = server_rdfs(i);
            for (const auto& [type, address] : server.addresses)
                insert_all(
                    make_rr(server.name.get(), type, p.ttl, {ldns_rdf_clone(address.get())}));
        }
        const auto generated = generated_names();
        // Every bad record is reported, not only the first.
        config::ErrorList errors;
        for (const auto& line : p.records)
            errors.attempt([&] {
                const ldns_rr* rr = parse(line.text, line.mark);
                if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA)
                    throw config::LoadError(line.mark,
                                            "the SOA record is made from 'soa:', not 'records:'");
                check_collision(rr, line.mark, generated);
                insert_all(rr);
                record_marks_.emplace_back(dns::owner_key(rr), line.mark);
            });
        errors.throw_if_any();
    }

    // Every name srvd generates records for, with who it is generated for:
    // proxy names, their SRV names, media server names (lowercased wire).
    std::unordered_map<std::string, std::string> generated_names() {
        const config::ZonePolicy& p = data_->policy;
        std::unordered_map<std::string, std::string> out;
        const auto key = [&](const std::string& relative) {
            dns::RdfPtr name = absolute(relative);
            return name ? dns::lowercase(dns::rdf_bytes(name.get())) : std::string();
        };
        for (const auto& ms : p.media_servers)
            out.emplace(key(ms.label), "media server '" + ms.label + "'");
        for (const auto& proxy : p.proxies) {
            const std::string who = "proxy '" + proxy.label + "'";
            out.emplace(key(proxy.label), who);
            for (config::Transport t : proxy.transports)
                out.emplace(key(std::string(srv_prefix_of(t)) + proxy.label), who);
        }
        out.erase(std::string());
        return out;
    }

    // Nothing under `records:` may own a generated name, nor delegate at or
    // above one: a hand-written SRV or NAPTR would be merged into the
    // generated set, an A at a media server would never be health-checked,
    // and an NS would turn the proxy's answers into referrals.
    void check_collision(const ldns_rr* rr, const config::SourceMark& mark,
                         const std::unordered_map<std::string, std::string>& generated) const {
        const std::string owner = dns::owner_key(rr);
        const std::string text = dns::name_to_text(owner);
        if (auto it = generated.find(owner); it != generated.end())
            throw config::LoadError(
                mark, "'" + text + "' is generated for " + it->second +
                          "; records: may not add to it (change the " +
                          (it->second.rfind("proxy", 0) == 0 ? "proxy" : "media server") +
                          " instead, or use another name)");
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS || owner == data_->apex) return;
        // The highest generated name below the cut, for a message that does not
        // depend on the map's order.
        const std::pair<const std::string, std::string>* below = nullptr;
        for (const auto& entry : generated)
            if (dns::is_at_or_below(entry.first, owner) &&
                (!below || entry.first.size() < below->first.size() ||
                 (entry.first.size() == below->first.size() && entry.first < below->first)))
                below = &entry;
        if (below)
            throw config::LoadError(mark, "an NS record at '" + text + "' would delegate '" +
                                              dns::name_to_text(below->first) +
                                              "', generated for " + below->second +
                                              ", to another server");
    }

    // The generated records of proxies are built with ldns's API rather than
    // parsed from text: a policy with 10,000 proxies makes hundreds of
    // thousands of them, and tokenizing text was most of its load time.
    struct ServerRdfs {
        dns::RdfPtr name;
        std::vector<std::pair<ldns_rr_type, dns::RdfPtr>> addresses;
    };

    dns::RdfPtr absolute(const std::string& relative) {
        dns::RdfPtr name(ldns_dname_new_frm_str(relative.c_str()));
        if (name && ldns_dname_cat(name.get(), origin_.get()) != LDNS_STATUS_OK) name.reset();
        return name;
    }

    // A generated name, `relative` in the zone (a longer one than a name may
    // be cannot be sent).
    dns::RdfPtr name_in_zone(const std::string& relative, const config::SourceMark& mark) {
        dns::RdfPtr name = absolute(relative);
        if (!name || dns::longer_than_a_name(name.get()))
            throw config::LoadError(mark, "'" + relative + "." + data_->policy.zone +
                                              "' is longer than a domain name may be (255 "
                                              "bytes): shorten the zone's or the label's name");
        return name;
    }

    const ServerRdfs& server_rdfs(std::size_t index) {
        if (server_rdfs_.empty()) {
            for (const auto& ms : data_->policy.media_servers) {
                ServerRdfs r;
                r.name = name_in_zone(ms.label, ms.mark);
                for (const auto& a : ms.addresses) {
                    const bool v6 = boost::asio::ip::make_address(a).is_v6();
                    r.addresses.emplace_back(
                        v6 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A,
                        dns::RdfPtr(ldns_rdf_new_frm_str(v6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A,
                                                         a.c_str())));
                }
                server_rdfs_.push_back(std::move(r));
            }
        }
        return server_rdfs_[index];
    }

    const ldns_rr* make_rr(const ldns_rdf* owner, ldns_rr_type type, std::uint32_t ttl,
                           std::initializer_list<ldns_rdf*> rdata) {
        dns::RrPtr rr(ldns_rr_new());
        ldns_rr_set_owner(rr.get(), ldns_rdf_clone(owner));
        ldns_rr_set_type(rr.get(), type);
        ldns_rr_set_class(rr.get(), LDNS_RR_CLASS_IN);
        ldns_rr_set_ttl(rr.get(), ttl);
        for (ldns_rdf* rdf : rdata) ldns_rr_push_rdf(rr.get(), rdf);
        return keep(std::move(rr));
    }

    // Stores a finished record. One equal to a record of the zone as served
    // is that record, shared: a reload that changes one line of a zone of
    // 50,000 names keeps one copy of the rest, not two (the SOA, whose
    // serial set_serial may write, is always the zone's own).
    const ldns_rr* keep(dns::RrPtr rr) {
        if (served_ && ldns_rr_get_type(rr.get()) != LDNS_RR_TYPE_SOA)
            if (auto i = served_match(rr.get())) {
                served_taken_[*i] = true; // each record of the served zone shared once
                next_served_ = *i + 1;
                data_->storage.push_back(served_->storage[*i]);
                return data_->storage.back().get();
            }
        data_->storage.emplace_back(std::move(rr));
        return data_->storage.back().get();
    }

    // The served record equal to `rr` not shared yet: first those after the
    // last found (a rebuild makes the records in the same order, a reload
    // mostly), else by an index of them all, made the first time.
    std::optional<std::size_t> served_match(const ldns_rr* rr) {
        const auto& all = served_->storage;
        if (served_taken_.empty()) served_taken_.resize(all.size(), false);
        // A few ahead: the records a health change takes out are skipped.
        for (std::size_t i = next_served_; i < std::min(all.size(), next_served_ + 16); ++i)
            if (!served_taken_[i] && dns::same_record(all[i].get(), rr)) return i;
        if (!served_indexed_) {
            served_indexed_ = true;
            served_index_.reserve(all.size());
            for (std::uint32_t i = 0; i < all.size(); ++i)
                served_index_.emplace(std::hash<std::string>{}(dns::record_bytes(all[i].get())), i);
        }
        for (auto [it, end] =
                 served_index_.equal_range(std::hash<std::string>{}(dns::record_bytes(rr)));
             it != end; ++it)
            if (!served_taken_[it->second] && dns::same_record(all[it->second].get(), rr))
                return it->second;
        return std::nullopt;
    }

    // Where an ordering's tiers are numbered from, and whether it is one of
    // several (per region): for the tier tags of its records.
    struct TierPlace {
        std::uint32_t first_tier;
        bool regional;
    };

    // One transport's SRV set for an ordering: RFC 2782 priorities 10, 20,
    // 30… by tier (room to insert by hand later), weights as configured.
    void add_srv_records(const config::Proxy& proxy, config::Transport t,
                         const config::Ordering& ordering, const ldns_rdf* owner, TierPlace place,
                         std::vector<const ldns_rr*>& records) {
        const config::ZonePolicy& p = data_->policy;
        for (std::uint16_t i = 0; i < ordering.size(); ++i) {
            for (std::uint16_t j = 0; j < ordering[i].size(); ++j) {
                const config::TierMember& m = ordering[i][j];
                const ldns_rr* rr =
                    make_rr(owner, LDNS_RR_TYPE_SRV, proxy.ttl,
                            {ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16,
                                                   static_cast<std::uint16_t>(10 * (i + 1))),
                             ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, m.weight),
                             ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16,
                                                   p.media_servers[m.server].ports.of(t)),
                             ldns_rdf_clone(server_rdfs(m.server).name.get())});
                data_->tier_tags[rr] = {place.first_tier + i, i, j, place.regional};
                records.push_back(rr);
            }
        }
    }

    // Phones that cannot do SRV get the addresses of the first tier that has
    // any of the family they ask for: an IPv6-only first tier must not leave
    // an IPv4-only phone with no A at all.
    void add_address_records(const config::Proxy& proxy, const config::Ordering& ordering,
                             const ldns_rdf* owner, TierPlace place,
                             std::vector<const ldns_rr*>& records) {
        for (const ldns_rr_type family : {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA}) {
            const auto has_family = [&](const config::Tier& tier) {
                for (const config::TierMember& m : tier)
                    for (const auto& address : server_rdfs(m.server).addresses)
                        if (address.first == family) return true;
                return false;
            };
            const auto tier = std::find_if(ordering.begin(), ordering.end(), has_family);
            if (tier == ordering.end()) continue;
            const auto i = static_cast<std::uint16_t>(tier - ordering.begin());
            for (std::uint16_t j = 0; j < tier->size(); ++j)
                for (const auto& [type, address] : server_rdfs((*tier)[j].server).addresses) {
                    if (type != family) continue;
                    const ldns_rr* rr =
                        make_rr(owner, type, proxy.ttl, {ldns_rdf_clone(address.get())});
                    data_->tier_tags[rr] = {place.first_tier + i, i, j, place.regional};
                    records.push_back(rr);
                }
        }
    }

    // NAPTR ORDER 10, 20… by transport, PREFERENCE 10, flag "S": go on to
    // the SRV name (RFC 3403, RFC 3263 4.1).
    void add_naptr_records(const config::Proxy& proxy, const ldns_rdf* owner,
                           const dns::RdfPtr (&srv_owner)[3]) {
        std::uint16_t order = 10;
        for (config::Transport t : proxy.transports) {
            insert_all(make_rr(owner, LDNS_RR_TYPE_NAPTR, proxy.ttl,
                               {ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, order),
                                ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, 10),
                                ldns_rdf_new_frm_str(LDNS_RDF_TYPE_STR, "S"),
                                ldns_rdf_new_frm_str(LDNS_RDF_TYPE_STR, service_of(t)),
                                ldns_rdf_new_frm_str(LDNS_RDF_TYPE_STR, ""),
                                ldns_rdf_clone(srv_owner[static_cast<int>(t)].get())}),
                       true);
            order += 10;
        }
    }

    void add_proxy(const config::Proxy& proxy) {
        const config::ZonePolicy& p = data_->policy;
        dns::RdfPtr owner = name_in_zone(proxy.label, proxy.mark);
        dns::RdfPtr srv_owner[3];
        for (config::Transport t : proxy.transports)
            srv_owner[static_cast<int>(t)] =
                name_in_zone(std::string(srv_prefix_of(t)) + proxy.label, proxy.mark);
        add_naptr_records(proxy, owner.get(), srv_owner);
        // Per transport, per view: each SRV set follows its own transport's
        // health (up over UDP, down over TLS: out of _sips._tcp only); the
        // A/AAAA follow the proxy's first transport, the one it offers first.
        const bool serve_all = !p.health || p.health->serve_all_when_all_down;
        std::array<std::vector<config::Ordering>, 3> orderings;
        for (config::Transport t : proxy.transports)
            for (const config::Ordering& o : proxy.orderings)
                orderings[static_cast<int>(t)].push_back(
                    apply_health(o, data_->health, t, serve_all));
        const auto& by_first = orderings[static_cast<int>(proxy.transports.front())];
        const bool regional =
            std::any_of(proxy.transports.begin(), proxy.transports.end(), [&](config::Transport t) {
                const auto& os = orderings[static_cast<int>(t)];
                return std::any_of(os.begin(), os.end(), [&](const config::Ordering& o) {
                    return !same_ordering(o, os.front());
                });
            });
        // The SRV names exist even when health leaves them empty (NODATA, not NXDOMAIN).
        for (config::Transport t : proxy.transports) {
            const std::string key =
                dns::lowercase(dns::rdf_bytes(srv_owner[static_cast<int>(t)].get()));
            for (auto& view : data_->views) view.nodes[key];
            if (regional) data_->regional_owners.insert(key);
        }
        const std::string owner_key = dns::lowercase(dns::rdf_bytes(owner.get()));
        if (regional) data_->regional_owners.insert(owner_key);
        for (auto& view : data_->views) view.proxy_ttls[owner_key] = proxy.ttl;
        // A proxy with one ordering gets one set of records, shared by every view.
        for (std::size_t v = 0; v < (regional ? data_->views.size() : 1); ++v) {
            std::vector<const ldns_rr*> records;
            // Transports whose orderings agree (every one, unless probes per
            // transport disagree) share their tiers' weights.
            std::vector<std::pair<const config::Ordering*, TierPlace>> placed;
            const auto place = [&](const config::Ordering& ordering) {
                for (const auto& [o, at] : placed)
                    if (same_ordering(*o, ordering)) return at;
                const TierPlace at{static_cast<std::uint32_t>(data_->tier_weights.size()),
                                   regional};
                for (const config::Tier& tier : ordering) {
                    std::vector<std::uint16_t> weights;
                    for (const config::TierMember& m : tier) weights.push_back(m.weight);
                    data_->tier_weights.push_back(std::move(weights));
                }
                placed.emplace_back(&ordering, at);
                return at;
            };
            for (config::Transport t : proxy.transports) {
                const config::Ordering& ordering = orderings[static_cast<int>(t)][v];
                if (!ordering.empty())
                    add_srv_records(proxy, t, ordering, srv_owner[static_cast<int>(t)].get(),
                                    place(ordering), records);
            }
            if (!by_first[v].empty())
                add_address_records(proxy, by_first[v], owner.get(), place(by_first[v]), records);
            for (const ldns_rr* rr : records) {
                if (regional)
                    insert(data_->views[v], rr, dns::owner_key(rr), true);
                else
                    insert_all(rr, true);
            }
        }
    }

    void add_empty_non_terminals(ZoneView& view) {
        std::vector<std::string> missing;
        for (const auto& [name, node] : view.nodes)
            for (std::string_view up = dns::parent_name(name); up.size() > view.apex.size();
                 up = dns::parent_name(up))
                if (!view.nodes.count(up)) missing.emplace_back(up);
        for (auto& name : missing) view.nodes[name];
    }

    void check_cname_conflicts() {
        for (const auto& [name, node] : data_->views.front().nodes) {
            const RRset* cname = node.find(dns::type::CNAME);
            if (!cname) continue;
            if (node.rrsets.size() > 1 || cname->rrs.size() > 1) {
                config::SourceMark mark = data_->policy.zone_mark;
                for (const auto& [owner, m] : record_marks_)
                    if (owner == name) mark = m;
                throw config::LoadError(mark, "'" + dns::name_to_text(name) +
                                                  "' has a CNAME and other data (RFC 1034 3.6.2)");
            }
            if (name == data_->apex)
                throw config::LoadError(data_->policy.zone_mark, "the zone apex cannot be a CNAME");
        }
    }

    std::vector<std::pair<std::string, config::SourceMark>> record_marks_;
    std::vector<ServerRdfs> server_rdfs_;
};

} // namespace

std::shared_ptr<ZoneData> build_zone(config::ZonePolicy policy, BuildOptions options) {
    return ZoneBuilder(std::move(policy), std::move(options)).build();
}

std::shared_ptr<ZoneData> build_zone(config::ZonePolicy policy, std::vector<ServerState> health,
                                     const ZoneData* signed_as, std::int64_t renew_at,
                                     std::int64_t key_time) {
    return build_zone(std::move(policy), {std::move(health), signed_as, renew_at, key_time});
}

bool signatures_due(const ZoneData& zone, std::int64_t now) {
    if (!zone.keys || !zone.policy.dnssec) return false;
    if (zone.next_key_event && now >= *zone.next_key_event) return true; // a key changes state
    const std::int64_t half = std::int64_t{zone.policy.dnssec->rrsig_lifetime_days} * 86400 / 2;
    return now >= std::int64_t{zone.validity.expiration} - half;
}

namespace {

bool same_keys(const std::vector<const dnssec::ZoneKey*>& a,
               const std::vector<const dnssec::ZoneKey*>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto* x, const auto* y) {
        return ldns_rr_compare(x->dnskey.get(), y->dnskey.get()) == 0;
    });
}

} // namespace

bool adopt_signatures(ZoneData& zone, const ZoneData& before, std::int64_t now) {
    if (!zone.keys || !before.keys || !zone.policy.dnssec || !before.policy.dnssec ||
        zone.apex != before.apex || !before.signature_cache || signatures_due(before, now))
        return false;
    const dnssec::Validity fresh =
        dnssec::validity_from(dnssec::day_start(now), zone.policy.dnssec->rrsig_lifetime_days);
    if (before.validity.expiration - before.validity.inception !=
            fresh.expiration - fresh.inception ||
        !same_keys(zone.key_set.key_set_signers(), before.key_set.key_set_signers()) ||
        !same_keys(zone.key_set.zsks(), before.key_set.zsks()))
        return false;
    zone.validity = before.validity;
    zone.signature_cache = before.signature_cache;
    return true;
}

void drop_unused_signatures(const ZoneData& zone) {
    if (!zone.signature_cache) return;
    auto& cache = *zone.signature_cache;
    std::erase_if(cache.by_content,
                  [&](const auto& entry) { return entry.second.used_by != cache.compiles; });
}

void set_serial(ZoneData& zone, std::uint32_t serial) {
    zone.policy.soa.serial = serial; // a rebuild (health change) keeps it
    for (auto& rr : zone.storage)
        if (rr.get() == zone.default_view().soa) {
            // SOA RDATA: MNAME RNAME SERIAL ...; ldns_rr_set_rdf hands back the old field.
            const dns::RdfPtr old(
                ldns_rr_set_rdf(rr.get(), ldns_native2rdf_int32(LDNS_RDF_TYPE_INT32, serial), 2));
            return;
        }
}

} // namespace srvd::zone
