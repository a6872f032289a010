#pragma once
// What the answer engine hands over (AnswerInfo::transfer): AXFR (RFC 5936)
// and IXFR (RFC 1995) of the zones' default views, and TSIG-signed queries.
// This is not the packet path: transfers are rare, large and allowed to
// allocate, so it is built on ldns packets rather than hand-written wire code.
#include "engine/answer_engine.hpp"
#include "metrics/transfer_kind.hpp"
#include "zone/snapshot/snapshot.hpp"

#include <string>
#include <vector>

namespace srvd::xfr {

struct Outcome {
    using Kind = metrics::TransferKind;
    Kind kind = Kind::signed_query;
    std::vector<std::string> messages; // wire format, in order; empty: drop
    std::string log; // a line for the log when something was transferred or refused
};

// Answers AXFR, IXFR and TSIG-signed queries: the TSIG verified first (a
// failure is answered with its error, nothing else made), then the transfer
// or, for an ordinary signed query, the engine's answer, then the signing.
// `query` is the request as the pipeline parsed it: not parsed again.
Outcome respond(const zone::Snapshot& snapshot, const engine::Request& request,
                const engine::ParsedQuery& query);

} // namespace srvd::xfr
