// Writes dnsperf workloads for the benchmark zone made by make-policy.pl.
//
//   make_queries static NAMES ZONE COUNT OUT   OUT.txt (dnsperf text) and OUT.bin
//       static proxies' SRV, NAPTR and A, with about 10% NXDOMAIN
//   make_queries ecs NAMES ZONE DB COUNT OUT   OUT.bin (dnsperf -B)
//       GeoIP-aware proxies' SRV, each query with an ECS /24 drawn from the
//       database's IPv4 networks
//
// Binary files hold each query as a two-byte length and the message, the
// format `dnsperf -B` reads; the engine microbenchmark reads them too.
#include "dns/query_builder.hpp"
#include "dns/wire.hpp"
#include "engine/client_view.hpp"
#include "geo/mmdb_file.hpp"

#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

using namespace srvd;

namespace {

std::vector<std::string> read_names(const std::string& file) {
    std::ifstream in(file);
    std::vector<std::string> names;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) names.push_back(line);
    return names;
}

void write_binary(std::ofstream& out, const std::vector<std::uint8_t>& q) {
    const char len[2] = {static_cast<char>(q.size() >> 8), static_cast<char>(q.size())};
    out.write(len, 2);
    out.write(reinterpret_cast<const char*>(q.data()), static_cast<std::streamsize>(q.size()));
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    std::mt19937_64 rng(20261126); // the same workload on every machine
    if (args.size() == 5 && args[0] == "static") {
        const auto names = read_names(args[1]);
        const std::string zone = args[2];
        const long count = std::stol(args[3]);
        std::ofstream text(args[4] + ".txt"), bin(args[4] + ".bin", std::ios::binary);
        for (long i = 0; i < count; ++i) {
            std::string name =
                names[(rng() % ((names.size() + 1) / 2)) * 2]; // p1, p3…: static proxies
            std::string type;
            switch (rng() % 10) {
            case 0:
                name = "nx" + std::to_string(rng() % 100000) + "." + name, type = "A";
                break;
            case 1:
            case 2:
            case 3:
                name = "_sip._udp." + name, type = "SRV";
                break;
            case 4:
            case 5:
                name = "_sip._tcp." + name, type = "SRV";
                break;
            case 6:
            case 7:
            case 8:
                type = "NAPTR";
                break;
            default:
                type = "A";
                break;
            }
            name += "." + zone;
            text << name << " " << type << "\n";
            dns::QuerySpec spec;
            spec.name = name + ".";
            spec.type = type == "A"     ? dns::type::A
                        : type == "SRV" ? dns::type::SRV
                                        : dns::type::NAPTR;
            spec.edns = false;
            write_binary(bin, dns::build_query(spec));
        }
        return 0;
    }
    if (args.size() == 6 && args[0] == "ecs") {
        const auto names = read_names(args[1]);
        const std::string zone = args[2];
        geo::MmdbFile db(args[3]);
        std::vector<std::uint32_t> networks;
        db.for_each_v4([&](std::uint32_t first, int length, std::uint64_t) {
            const std::uint8_t bytes[4] = {
                static_cast<std::uint8_t>(first >> 24), static_cast<std::uint8_t>(first >> 16),
                static_cast<std::uint8_t>(first >> 8), static_cast<std::uint8_t>(first)};
            // Private space would make srvd fall back to the source address.
            if (length <= 24 && !engine::is_unroutable(4, bytes)) networks.push_back(first);
        });
        if (networks.empty()) {
            std::cerr << "no IPv4 networks in " << args[3] << "\n";
            return 1;
        }
        const long count = std::stol(args[4]);
        std::ofstream bin(args[5] + ".bin", std::ios::binary);
        for (long i = 0; i < count; ++i) {
            const std::string& proxy =
                names[(rng() % (names.size() / 2)) * 2 + 1]; // p2, p4…: GeoIP-aware
            dns::QuerySpec spec;
            spec.name =
                std::string(rng() % 2 ? "_sip._udp." : "_sip._tcp.") + proxy + "." + zone + ".";
            spec.type = dns::type::SRV;
            const std::uint32_t net = networks[rng() % networks.size()];
            dns::ClientSubnet ecs{1, 24, {}};
            for (int b = 0; b < 3; ++b)
                ecs.address[b] = static_cast<std::uint8_t>(net >> (24 - 8 * b));
            spec.ecs = ecs;
            write_binary(bin, dns::build_query(spec));
        }
        return 0;
    }
    std::cerr << "usage: make_queries static NAMES ZONE COUNT OUT | ecs NAMES ZONE DB COUNT OUT\n";
    return 2;
}
