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
#include "geo/mmdb_file.hpp"
#include "geo/region_choice.hpp"
#include "util/asio_address.hpp"
#include "zone/snapshot_loader.hpp"

#include <boost/asio/ip/address.hpp>

#include <iostream>

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

} // namespace

int explain_command(const Args& args) {
    auto p = parse(args, allow_client);
    if (!p) return 2;
    if (!p->client || p->positional.empty() || p->positional.size() > 2) {
        std::cerr << "srvd explain: expected --client IP [--ecs PREFIX] NAME [TYPE]\n";
        return 2;
    }
    boost::system::error_code ec;
    const auto client_ip = boost::asio::ip::make_address(*p->client, ec);
    if (ec) {
        std::cerr << "srvd explain: --client " << *p->client << ": not an IP address\n";
        return 2;
    }
    std::optional<dns::ClientSubnet> ecs;
    if (p->ecs && !(ecs = dns::parse_client_subnet(*p->ecs))) {
        std::cerr << "srvd explain: --ecs " << *p->ecs << ": expected ADDRESS/LENGTH\n";
        return 2;
    }
    const std::string name = p->positional[0];
    std::uint16_t type = dns::type::A;
    if (p->positional.size() == 2) {
        type = static_cast<std::uint16_t>(ldns_get_rr_type_by_name(p->positional[1].c_str()));
        if (type == 0) {
            std::cerr << "srvd explain: unknown type " << p->positional[1] << "\n";
            return 2;
        }
    }
    const auto loaded = load_or_report(p->config);
    if (!loaded) return 1;
    const zone::Snapshot& s = *loaded->snapshot;

    const engine::ClientAddress client = client_address(client_ip);

    // Which address decides, by the rules the engine applies.
    std::string deciding = client_ip.to_string();
    std::cout << "client " << client_ip.to_string();
    if (ecs) {
        std::cout << ", ECS " << subnet_text(*ecs);
        if (!s.geo) {
            std::cout << " (ignored: no geoip configured)";
        } else if (!s.geo->config.ecs) {
            std::cout << " (ignored: geoip.ecs is off)";
        } else if (ecs->source == 0) {
            std::cout << " (source prefix 0: the source address decides)";
        } else if (!s.geo->config.ecs_private_use &&
                   engine::is_unroutable(ecs->family == 1 ? 4 : 6, ecs->address)) {
            std::cout
                << " (private or unroutable: the source address decides; geoip.ecs_private: use "
                   "changes that)";
        } else {
            deciding = subnet_text(*ecs);
            deciding = deciding.substr(0, deciding.find('/'));
        }
    }
    std::cout << "\n";

    const zone::ZoneEntry* zone = zone_of(s, name);
    if (!zone) {
        std::cout << "zone: none of the loaded zones holds " << name << " (answer: REFUSED)\n";
    } else {
        const ZonePolicy& policy = zone->data->policy;
        std::cout << "zone " << policy.zone << " (" << policy.file << ")\n";
        if (policy.health)
            std::cout
                << "health: checked every " << policy.health->interval_ms
                << " ms by the running server; explain runs on its own and counts every media "
                   "server as up (the live states are srvd_media_server_up on /metrics)\n";
        if (policy.regions.empty()) {
            std::cout << "region: the zone defines no regions; every client gets the same tiers\n";
        } else if (!s.geo) {
            std::cout << "region " << policy.regions[policy.default_region].name
                      << ": no geoip database is configured, so every client gets default_region\n";
        } else {
            geo::MmdbFile db(s.geo->config.database);
            std::vector<std::string> lines;
            auto location = db.lookup(deciding, s.geo->config.fields, &lines);
            std::cout << "geoip " << s.geo->config.database << " for " << deciding << ":\n";
            for (const auto& l : lines) std::cout << "  " << l << "\n";
            std::string why;
            const std::size_t region =
                geo::choose_region(policy, location.value_or(geo::Location{}), &why);
            if (!location)
                why = "not in the database: default region " + policy.regions[region].name;
            std::cout << "region " << policy.regions[region].name << ": " << why << "\n";
        }
    }

    dns::QuerySpec spec;
    spec.name = name;
    spec.type = type;
    spec.ecs = ecs;
    std::vector<std::uint8_t> query;
    try {
        query = dns::build_query(spec);
    } catch (const std::exception& e) {
        std::cerr << "srvd explain: " << e.what() << "\n";
        return 2;
    }
    std::vector<std::uint8_t> out(65535);
    engine::AnswerInfo info;
    const std::size_t n =
        engine::answer_query(s, {query.data(), query.size(), engine::Protocol::udp, client},
                             out.data(), out.size(), &info);
    if (info.located) {
        const auto& regions = zone->data->policy.regions;
        std::cout << "answer varies by client: "
                  << (regions.empty() ? std::string("no regions")
                                      : "region " + regions[info.region].name)
                  << ", tier order variant " << info.variant << " (chosen by the client's subnet)";
        if (ecs) std::cout << ", ECS scope /" << int(info.scope);
        std::cout << "\n";
    } else {
        std::cout << "answer is the same for every client (ECS scope /0)\n";
    }
    ldns_pkt* pkt = nullptr;
    if (n == 0 || ldns_wire2pkt(&pkt, out.data(), n) != LDNS_STATUS_OK) {
        std::cout << "no answer (the query would be dropped)\n";
        return 0;
    }
    char* text = ldns_pkt2str(pkt);
    std::cout << "\n" << (text ? text : "");
    free(text);
    ldns_pkt_free(pkt);
    return 0;
}

} // namespace srvd::cli
