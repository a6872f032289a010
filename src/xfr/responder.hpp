#pragma once
// What the answer engine hands over (AnswerInfo::transfer): AXFR (RFC 5936)
// and IXFR (RFC 1995) of the zones' default views, and TSIG-signed queries.
// This is not the packet path: transfers are rare, large and allowed to
// allocate, so it is built on ldns packets rather than hand-written wire code.
#include "engine/answer_engine.hpp"

#include <string>
#include <vector>

namespace srvd::xfr {

struct Outcome {
    // What was answered, for metrics: the whole zone, changes (or the SOA
    // alone) by IXFR, a refusal (REFUSED, NOTAUTH, NOTIMP), a signed query.
    enum class Kind : std::uint8_t { axfr, ixfr, refused, signed_query } kind = Kind::signed_query;
    std::vector<std::string> messages; // wire format, in order; empty: drop
    std::string log; // a line for the log when something was transferred or refused
};

// `engine_answer` is what answer_query wrote for the same request.
Outcome respond(const zone::Snapshot& snapshot, const engine::Request& request,
                const std::uint8_t* engine_answer, std::size_t engine_answer_size);

} // namespace srvd::xfr
