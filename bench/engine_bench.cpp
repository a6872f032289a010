// Microbenchmark of the answer engine alone: no sockets, one thread.
//
//   engine_bench CONFIG QUERIES.bin [SOURCE_ADDRESS]
//
// Loads the configuration as `serve` does, reads queries in dnsperf -B
// format, answers them repeatedly for about two seconds and prints the mean
// time per answer.
#include "dns/wire.hpp"
#include "engine/answer_engine.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>

using namespace srvd;

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: engine_bench CONFIG QUERIES.bin [SOURCE_ADDRESS]\n";
        return 2;
    }
    auto loaded = zone::load_all(argv[1]);
    std::ifstream in(argv[2], std::ios::binary);
    std::vector<std::uint8_t> file((std::istreambuf_iterator<char>(in)), {});
    std::vector<std::pair<std::size_t, std::size_t>> queries; // offset, size
    for (std::size_t at = 0; at + 2 <= file.size();) {
        const std::size_t size = dns::get16(file.data() + at);
        queries.emplace_back(at + 2, size);
        at += 2 + size;
    }
    engine::ClientAddress client;
    auto source = boost::asio::ip::make_address_v4(argc > 3 ? argv[3] : "192.0.2.1").to_bytes();
    client.family = 4;
    std::copy(source.begin(), source.end(), client.bytes);

    std::vector<std::uint8_t> out(65535);
    std::size_t answered = 0, bytes = 0, rounds = 0;
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = std::chrono::duration<double>(0);
    do {
        for (const auto& [offset, size] : queries) {
            engine::Request r{file.data() + offset, size, engine::Protocol::udp, client};
            const std::size_t n = engine::answer_query(*loaded.snapshot, r, out.data(), out.size());
            answered += n > 0;
            bytes += n;
        }
        ++rounds;
        elapsed = std::chrono::steady_clock::now() - start;
    } while (elapsed.count() < 2.0);
    std::cout << queries.size() << " queries x " << rounds
              << " rounds: " << elapsed.count() * 1e9 / static_cast<double>(answered)
              << " ns per answer, " << bytes / answered << " bytes per answer\n";
    return 0;
}
