#pragma once
// The answer engine: query bytes + client + snapshot → answer bytes. A pure
// function: no sockets, no allocation, no locks, no exceptions. The network
// layer, the tests, the benchmarks and the fuzzers all call it directly.
#include "engine/query_parser.hpp"
#include "engine/signing_budget.hpp"
#include "util/client_address.hpp"
#include "zone/compile/answer_table.hpp"

#include <cstddef>
#include <cstdint>

namespace srvd::engine {

enum class Protocol : std::uint8_t { udp, tcp };

using srvd::ClientAddress;

struct Request {
    const std::uint8_t* data;
    std::size_t size;
    Protocol protocol;
    ClientAddress client;
    // False: a reply that will be cut to its question anyway (a rate
    // limiter's slip) skips what would be signed for the query.
    bool sign_online = true;
    // Asked before signing for the query; over it, SERVFAIL. Null: no limit.
    SigningBudget* budget = nullptr;
};

// What happened, for logs, metrics and tests; filled when asked for.
struct AnswerInfo {
    std::uint16_t qtype = 0;
    std::uint16_t rcode = 0; // extended rcode (BADVERS is 16)
    bool truncated = false;
    std::uint16_t question_end = 0; // header and question: the bytes a truncated answer keeps
    std::uint16_t opt_size = 0;     // the OPT record at the end of the answer, 0 for none
    bool located = false;           // the answer depends on the client's region or subnet
    std::uint16_t zone = 0; // index in AnswerTable::arrays (and Snapshot::zones), when located
    std::uint16_t region = 0;
    std::uint16_t variant = 0;
    std::uint16_t variants = 1; // of the name's orderings (weighted shuffles)
    std::uint8_t scope = 0;
    bool used_ecs = false;
    // The answer carries a signature made for this query (a compact denial
    // or a wildcard's proof): the costly kind, which RRL must contain.
    bool signed_online = false;
    // It needed one and the signing budget had no room: SERVFAIL.
    bool signing_refused = false;
    // AXFR, IXFR or a TSIG-signed query: the engine answers REFUSED or
    // unsigned; a server with the transfer layer (xfr/) answers instead,
    // from `query`.
    bool transfer = false;
    // The query as parsed, once: the transfer layer reads it (question,
    // EDNS, IXFR serial, where the TSIG record is) rather than parse again.
    // Set when the parser accepted the query (`qtype` set).
    ParsedQuery query;
};

// Writes the answer into `out` and returns its length, or 0 when the query
// must be dropped. `out_size` must be at least 512; TCP answers may need 65535.
std::size_t answer_query(const zone::AnswerTable& snapshot, const Request& request,
                         std::uint8_t* out, std::size_t out_size,
                         AnswerInfo* info = nullptr) noexcept;

// answer_query in two steps, for the query pipeline, which reads the query
// before it decides who answers it: `status` and `q` are parse_query's.
std::size_t answer_parsed(const zone::AnswerTable& snapshot, const Request& request,
                          ParseStatus status, const ParsedQuery& q, std::uint8_t* out,
                          std::size_t out_size, AnswerInfo* info = nullptr) noexcept;

// AXFR, IXFR or a TSIG-signed query: the transfer layer's to answer.
bool is_transfer(const ParsedQuery& q) noexcept;

} // namespace srvd::engine
