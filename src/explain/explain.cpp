#include "explain/explain.hpp"

#include "dns/ldns_owned.hpp"
#include "dns/name.hpp"
#include "dns/wire.hpp"
#include "engine/answer_engine.hpp"
#include "engine/client_view.hpp"
#include "geo/mmdb_file.hpp"
#include "geo/region_choice.hpp"
#include "util/asio_address.hpp"

#include <algorithm>

namespace srvd::explain {
using namespace srvd::engine; // the engine's answer, read back
namespace {

std::string subnet_text(const dns::ClientSubnet& s) {
    return address_of(s.family != 1, s.address).to_string() + "/" + std::to_string(s.source);
}

const zone::ZoneEntry* zone_of(const zone::Snapshot& s, const std::string& name) {
    auto wire = dns::name_from_text(name);
    if (!wire) return nullptr;
    const std::string key = dns::lowercase(*wire);
    for (const auto& z : s.zones) // deepest first
        if (dns::is_at_or_below(key, z.data->apex)) return &z;
    return nullptr;
}

// The client line, with the engine's verdict on its ECS option; returns the
// address that decides the region.
std::string explain_client(std::ostream& out, const zone::Snapshot& s, const Query& q) {
    std::string deciding = q.client.to_string();
    out << "client " << q.client.to_string();
    if (q.ecs) {
        out << ", ECS " << subnet_text(*q.ecs);
        switch (ecs_use(s, q.parsed)) {
        case EcsUse::absent:
        case EcsUse::used:
            deciding = subnet_text(*q.ecs);
            deciding = deciding.substr(0, deciding.find('/'));
            break;
        case EcsUse::no_geoip:
            out << " (ignored: no geoip configured)";
            break;
        case EcsUse::disabled:
            out << " (ignored: geoip.ecs is off)";
            break;
        case EcsUse::source_zero:
            out << " (source prefix 0: the source address decides)";
            break;
        case EcsUse::unroutable:
            out << " (private or unroutable: the source address decides; geoip.ecs_private: "
                   "use changes that)";
            break;
        }
    }
    out << "\n";
    return deciding;
}

// The zone that holds the name and the region `deciding` falls in.
void explain_region(std::ostream& out, const zone::Snapshot& s, const zone::ZoneEntry& zone,
                    const std::string& deciding, bool live) {
    const config::ZonePolicy& policy = zone.data->policy;
    out << "zone " << policy.zone << " (" << policy.file << ")\n";
    if (live) {
        out << "health: the running server's answers, with its media servers' live states and "
               "drains (srvd ctl status)\n";
        // Weights load sets replace the configured ones in tiers of several.
        std::string weights;
        for (std::size_t i = 0; i < zone.data->health.size() && i < policy.media_servers.size();
             ++i)
            if (const auto w = zone.data->health[i].weight)
                weights += " " + policy.media_servers[i].label + " " + std::to_string(*w);
        if (!weights.empty())
            out << "weights from load (health.load; srvd ctl status says why):" << weights << "\n";
    } else if (policy.health)
        out << "health: checked every " << policy.health->interval_ms
            << " ms by the running server; explain runs on its own and counts every media "
               "server as up (srvd ctl explain asks the running server)\n";
    if (policy.regions.empty()) {
        out << "region: the zone defines no regions; every client gets the same tiers\n";
        return;
    }
    if (!s.geo) {
        out << "region " << policy.regions[policy.default_region].name
            << ": no geoip database is configured, so every client gets default_region\n";
        return;
    }
    geo::MmdbFile db(s.geo->config.database);
    std::vector<std::string> lines;
    auto location = db.lookup(deciding, s.geo->config.fields, &lines);
    out << "geoip " << s.geo->config.database << " for " << deciding << ":\n";
    for (const auto& l : lines) out << "  " << l << "\n";
    std::string why;
    const std::size_t region = geo::choose_region(policy, location.value_or(geo::Location{}), &why);
    if (!location) why = "not in the database: default region " + policy.regions[region].name;
    out << "region " << policy.regions[region].name << ": " << why << "\n";
}

// The subnet the ordering variant is chosen by: the deciding address's /24
// (IPv4) or /56 (IPv6), or the ECS source prefix when shorter.
std::string variant_subnet(const Query& q, const AnswerInfo& info) {
    const bool v6 = info.used_ecs ? q.ecs->family != 1 : q.client.is_v6();
    unsigned prefix = v6 ? variant_prefix_v6 : variant_prefix_v4;
    if (info.used_ecs) prefix = std::min<unsigned>(prefix, q.ecs->source);
    return "/" + std::to_string(prefix);
}

// The reply as a resolver would see it: the header, then each section that
// has records (ldns's text of each). Not ldns_pkt2str: its query time,
// server and date lines would be made up here.
void print_reply(std::ostream& out, const ldns_pkt* pkt) {
    out << "\nreply: " << dns::owned_text(ldns_pkt_rcode2str(ldns_pkt_get_rcode(pkt)), "?")
        << ", flags:" << (ldns_pkt_qr(pkt) ? " qr" : "") << (ldns_pkt_aa(pkt) ? " aa" : "")
        << (ldns_pkt_tc(pkt) ? " tc" : "") << ", " << ldns_pkt_size(pkt) << " bytes\n";
    const std::pair<const char*, const ldns_rr_list*> sections[] = {
        {"answer", ldns_pkt_answer(pkt)},
        {"authority", ldns_pkt_authority(pkt)},
        {"additional", ldns_pkt_additional(pkt)}};
    for (const auto& [name, list] : sections) {
        if (ldns_rr_list_rr_count(list) == 0) continue;
        out << name << ":\n";
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
            out << "  " << dns::owned_text(ldns_rr2str(ldns_rr_list_rr(list, i)), "?\n");
        }
    }
    if (ldns_pkt_edns(pkt)) out << "EDNS: udp payload " << ldns_pkt_edns_udp_size(pkt) << "\n";
}

// The proxy a name belongs to: the proxy's own name or one of its SRV names.
const config::Proxy* proxy_of(const config::ZonePolicy& p, const std::string& name) {
    const std::string asked = dns::lowercase(dns::absolute(name));
    for (const auto& proxy : p.proxies) {
        const std::string own = dns::lowercase(proxy.label + "." + p.zone);
        if (asked == own || (asked.size() > own.size() &&
                             asked.compare(asked.size() - own.size(), own.size(), own) == 0 &&
                             asked[asked.size() - own.size() - 1] == '.' && asked[0] == '_'))
            return &proxy;
    }
    return nullptr;
}

// The engine's answer to the query, and what it depended on.
void explain_answer(std::ostream& out, const zone::Snapshot& s, const zone::ZoneEntry* zone,
                    const Query& q) {
    std::vector<std::uint8_t> reply(65535);
    AnswerInfo info;
    const std::size_t n =
        answer_query(s, {q.wire.data(), q.wire.size(), Protocol::udp, client_address(q.client)},
                     reply.data(), reply.size(), &info);
    if (info.located && zone) {
        const auto& regions = zone->data->policy.regions;
        out << "answer varies by client: "
            << (regions.empty() ? std::string("no regions")
                                : "region " + regions[info.region].name);
        if (info.variants > 1)
            out << ", ordering variant " << info.variant + 1 << " of " << info.variants
                << " (chosen by the client's " << variant_subnet(q, info) << ")";
        if (q.ecs) out << ", ECS scope /" << int(info.scope);
        out << "\n";
        if (const config::Proxy* proxy = proxy_of(zone->data->policy, q.name);
            proxy && info.region < proxy->region_given.size() && !proxy->region_given[info.region])
            out << "region " << regions[info.region].name
                << " has no ordering for this proxy: default region "
                << regions[zone->data->policy.default_region].name << " used\n";
    } else {
        out << "answer is the same for every client (ECS scope /0)\n";
    }
    ldns_pkt* decoded = nullptr;
    const ldns_status status = n == 0 ? LDNS_STATUS_ERR : ldns_wire2pkt(&decoded, reply.data(), n);
    const dns::PktPtr pkt(decoded);
    if (status != LDNS_STATUS_OK || !pkt) {
        out << "no answer (the query would be dropped)\n";
        return;
    }
    print_reply(out, pkt.get());
}

} // namespace

namespace {

// `type` empty: A.
std::optional<Query> make_query(const std::string& client, const std::optional<std::string>& ecs,
                                const std::string& name, const std::string& type,
                                std::string& error) {
    Query q;
    q.type_assumed = type.empty();
    boost::system::error_code ec;
    q.client = boost::asio::ip::make_address(client, ec);
    if (ec) {
        error = "--client " + client + ": not an IP address";
        return std::nullopt;
    }
    if (ecs && !(q.ecs = dns::parse_client_subnet(*ecs))) {
        error = "--ecs " + *ecs + ": expected ADDRESS/LENGTH";
        return std::nullopt;
    }
    q.name = name;
    dns::QuerySpec spec;
    spec.name = q.name;
    spec.type = dns::type::A;
    spec.ecs = q.ecs;
    if (!type.empty()) {
        spec.type = static_cast<std::uint16_t>(ldns_get_rr_type_by_name(type.c_str()));
        if (spec.type == 0) {
            error = "unknown type " + type;
            return std::nullopt;
        }
    }
    try {
        q.wire = dns::build_query(spec);
    } catch (const std::exception& e) {
        error = e.what();
        return std::nullopt;
    }
    if (parse_query(q.wire.data(), q.wire.size(), q.parsed) != ParseStatus::ok) {
        error = "cannot build a query for " + q.name;
        return std::nullopt;
    }
    return q;
}

} // namespace

std::optional<Query> parse_words(const std::vector<std::string>& words, std::string& error) {
    std::optional<std::string> client, ecs;
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w == "--client" || w == "--ecs") {
            if (i + 1 == words.size()) {
                error = w + " needs a value";
                return std::nullopt;
            }
            (w == "--client" ? client : ecs) = words[++i];
        } else if (w.size() > 1 && w[0] == '-') {
            error = "unknown option " + w + " (expected " + usage + ")";
            return std::nullopt;
        } else {
            rest.push_back(w);
        }
    }
    if (!client || rest.empty() || rest.size() > 2) {
        error = std::string("expected ") + usage;
        return std::nullopt;
    }
    return make_query(*client, ecs, rest[0], rest.size() == 2 ? rest[1] : "", error);
}

void write(std::ostream& out, const zone::Snapshot& s, const Query& q, bool live) {
    if (q.type_assumed) out << "type: A (no TYPE given; add one: SRV, NAPTR, AAAA…)\n";
    const std::string deciding = explain_client(out, s, q);
    const zone::ZoneEntry* zone = zone_of(s, q.name);
    if (zone)
        explain_region(out, s, *zone, deciding, live);
    else
        out << "zone: none of the loaded zones holds " << q.name << " (answer: REFUSED)\n";
    explain_answer(out, s, zone, q);
}

} // namespace srvd::explain
