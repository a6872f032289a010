#pragma once
// What the transfer layer answered, for metrics: the whole zone, changes (or
// the SOA alone) by IXFR, a refusal (REFUSED, NOTAUTH, NOTIMP), a signed
// ordinary query. Here, below the transfer layer, so that metrics/
// includes nothing from xfr/ (which needs ldns).
#include <cstdint>

namespace srvd::metrics {

enum class TransferKind : std::uint8_t { axfr, ixfr, refused, signed_query };

} // namespace srvd::metrics
