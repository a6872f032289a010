// `srvd explain`: which region a client falls in and why, and the answer it
// gets — computed by the same loader and answer engine that serve uses.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "dns/ldns.hpp"
#include "dns/name.hpp"
#include "dns/query_builder.hpp"
#include "dns/wire.hpp"
#include "engine/answer_engine.hpp"
#include "engine/client_view.hpp"
#include "engine/query_parser.hpp"
#include "geo/mmdb_file.hpp"
#include "geo/region_choice.hpp"
#include "util/asio_address.hpp"
#include "zone/snapshot_loader.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <iostream>
#include <optional>

namespace srvd::cli {
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

// What was asked: the client, the name and type, the query as a resolver
// would send it (ECS included) and the engine's reading of it.
struct Question {
    boost::asio::ip::address client;
    std::optional<dns::ClientSubnet> ecs;
    std::string name;
    std::vector<std::uint8_t> wire;
    engine::ParsedQuery parsed;
};

// Reads the arguments; prints what is wrong and returns nullopt otherwise.
std::optional<Question> read_question(const Parsed& p) {
    if (!p.client || p.positional.empty() || p.positional.size() > 2) {
        std::cerr << "srvd explain: expected --client IP [--ecs PREFIX] NAME [TYPE]\n";
        return std::nullopt;
    }
    Question q;
    boost::system::error_code ec;
    q.client = boost::asio::ip::make_address(*p.client, ec);
    if (ec) {
        std::cerr << "srvd explain: --client " << *p.client << ": not an IP address\n";
        return std::nullopt;
    }
    if (p.ecs && !(q.ecs = dns::parse_client_subnet(*p.ecs))) {
        std::cerr << "srvd explain: --ecs " << *p.ecs << ": expected ADDRESS/LENGTH\n";
        return std::nullopt;
    }
    q.name = p.positional[0];
    dns::QuerySpec spec;
    spec.name = q.name;
    spec.type = dns::type::A;
    spec.ecs = q.ecs;
    if (p.positional.size() == 2) {
        spec.type = static_cast<std::uint16_t>(ldns_get_rr_type_by_name(p.positional[1].c_str()));
        if (spec.type == 0) {
            std::cerr << "srvd explain: unknown type " << p.positional[1] << "\n";
            return std::nullopt;
        }
    }
    try {
        q.wire = dns::build_query(spec);
    } catch (const std::exception& e) {
        std::cerr << "srvd explain: " << e.what() << "\n";
        return std::nullopt;
    }
    if (engine::parse_query(q.wire.data(), q.wire.size(), q.parsed) != engine::ParseStatus::ok) {
        std::cerr << "srvd explain: cannot build a query for " << q.name << "\n";
        return std::nullopt;
    }
    return q;
}

// The client line, with the engine's verdict on its ECS option; returns the
// address that decides the region.
std::string explain_client(const zone::Snapshot& s, const Question& q) {
    std::string deciding = q.client.to_string();
    std::cout << "client " << q.client.to_string();
    if (q.ecs) {
        std::cout << ", ECS " << subnet_text(*q.ecs);
        switch (engine::ecs_use(s, q.parsed)) {
        case engine::EcsUse::absent:
        case engine::EcsUse::used:
            deciding = subnet_text(*q.ecs);
            deciding = deciding.substr(0, deciding.find('/'));
            break;
        case engine::EcsUse::no_geoip:
            std::cout << " (ignored: no geoip configured)";
            break;
        case engine::EcsUse::disabled:
            std::cout << " (ignored: geoip.ecs is off)";
            break;
        case engine::EcsUse::source_zero:
            std::cout << " (source prefix 0: the source address decides)";
            break;
        case engine::EcsUse::unroutable:
            std::cout << " (private or unroutable: the source address decides; geoip.ecs_private: "
                         "use changes that)";
            break;
        }
    }
    std::cout << "\n";
    return deciding;
}

// The zone that holds the name and the region `deciding` falls in.
void explain_region(const zone::Snapshot& s, const zone::ZoneEntry& zone,
                    const std::string& deciding) {
    const ZonePolicy& policy = zone.data->policy;
    std::cout << "zone " << policy.zone << " (" << policy.file << ")\n";
    if (policy.health)
        std::cout << "health: checked every " << policy.health->interval_ms
                  << " ms by the running server; explain runs on its own and counts every media "
                     "server as up (the live states are srvd_media_server_up on /metrics)\n";
    if (policy.regions.empty()) {
        std::cout << "region: the zone defines no regions; every client gets the same tiers\n";
        return;
    }
    if (!s.geo) {
        std::cout << "region " << policy.regions[policy.default_region].name
                  << ": no geoip database is configured, so every client gets default_region\n";
        return;
    }
    geo::MmdbFile db(s.geo->config.database);
    std::vector<std::string> lines;
    auto location = db.lookup(deciding, s.geo->config.fields, &lines);
    std::cout << "geoip " << s.geo->config.database << " for " << deciding << ":\n";
    for (const auto& l : lines) std::cout << "  " << l << "\n";
    std::string why;
    const std::size_t region = geo::choose_region(policy, location.value_or(geo::Location{}), &why);
    if (!location) why = "not in the database: default region " + policy.regions[region].name;
    std::cout << "region " << policy.regions[region].name << ": " << why << "\n";
}

// The subnet the ordering variant is chosen by: the deciding address's /24
// (IPv4) or /56 (IPv6), or the ECS source prefix when shorter.
std::string variant_subnet(const Question& q, const engine::AnswerInfo& info) {
    const bool v6 = info.used_ecs ? q.ecs->family != 1 : q.client.is_v6();
    unsigned prefix = v6 ? engine::variant_prefix_v6 : engine::variant_prefix_v4;
    if (info.used_ecs) prefix = std::min<unsigned>(prefix, q.ecs->source);
    return "/" + std::to_string(prefix);
}

// The reply as a resolver would see it: the header, then each section that
// has records (ldns's text of each). Not ldns_pkt2str: its query time,
// server and date lines would be made up here.
void print_reply(const ldns_pkt* pkt) {
    char* rcode = ldns_pkt_rcode2str(ldns_pkt_get_rcode(pkt));
    std::cout << "\nreply: " << (rcode ? rcode : "?") << ", flags:" << (ldns_pkt_qr(pkt) ? " qr" : "")
              << (ldns_pkt_aa(pkt) ? " aa" : "") << (ldns_pkt_tc(pkt) ? " tc" : "") << ", "
              << ldns_pkt_size(pkt) << " bytes\n";
    free(rcode);
    const std::pair<const char*, const ldns_rr_list*> sections[] = {
        {"answer", ldns_pkt_answer(pkt)},
        {"authority", ldns_pkt_authority(pkt)},
        {"additional", ldns_pkt_additional(pkt)}};
    for (const auto& [name, list] : sections) {
        if (ldns_rr_list_rr_count(list) == 0) continue;
        std::cout << name << ":\n";
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
            char* text = ldns_rr2str(ldns_rr_list_rr(list, i));
            std::cout << "  " << (text ? text : "?\n");
            free(text);
        }
    }
    if (ldns_pkt_edns(pkt))
        std::cout << "EDNS: udp payload " << ldns_pkt_edns_udp_size(pkt) << "\n";
}

// The engine's answer to the query, and what it depended on.
void explain_answer(const zone::Snapshot& s, const zone::ZoneEntry* zone, const Question& q) {
    std::vector<std::uint8_t> out(65535);
    engine::AnswerInfo info;
    const std::size_t n = engine::answer_query(
        s, {q.wire.data(), q.wire.size(), engine::Protocol::udp, client_address(q.client)},
        out.data(), out.size(), &info);
    if (info.located && zone) {
        const auto& regions = zone->data->policy.regions;
        std::cout << "answer varies by client: "
                  << (regions.empty() ? std::string("no regions")
                                      : "region " + regions[info.region].name);
        if (info.variants > 1)
            std::cout << ", ordering variant " << info.variant + 1 << " of " << info.variants
                      << " (chosen by the client's " << variant_subnet(q, info) << ")";
        if (q.ecs) std::cout << ", ECS scope /" << int(info.scope);
        std::cout << "\n";
    } else {
        std::cout << "answer is the same for every client (ECS scope /0)\n";
    }
    ldns_pkt* pkt = nullptr;
    if (n == 0 || ldns_wire2pkt(&pkt, out.data(), n) != LDNS_STATUS_OK) {
        std::cout << "no answer (the query would be dropped)\n";
        return;
    }
    print_reply(pkt);
    ldns_pkt_free(pkt);
}

} // namespace

int explain_command(const Args& args) {
    auto p = parse(args, allow_client);
    if (!p) return 2;
    const auto question = read_question(*p);
    if (!question) return 2;
    const auto loaded = load_or_report(p->config);
    if (!loaded) return 1;
    const zone::Snapshot& s = *loaded->snapshot;
    const std::string deciding = explain_client(s, *question);
    const zone::ZoneEntry* zone = zone_of(s, question->name);
    if (zone)
        explain_region(s, *zone, deciding);
    else
        std::cout << "zone: none of the loaded zones holds " << question->name
                  << " (answer: REFUSED)\n";
    explain_answer(s, zone, *question);
    return 0;
}

} // namespace srvd::cli
