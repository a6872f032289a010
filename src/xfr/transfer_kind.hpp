#pragma once
// What the transfer layer answered, for metrics: the whole zone, changes (or
// the SOA alone) by IXFR, a refusal (REFUSED, NOTAUTH, NOTIMP), a signed
// ordinary query. Apart from responder.hpp so the counters need no ldns.
#include <cstdint>

namespace srvd::xfr {

enum class TransferKind : std::uint8_t { axfr, ixfr, refused, signed_query };

} // namespace srvd::xfr
