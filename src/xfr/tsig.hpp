#pragma once
// TSIG (RFC 8945) through ldns: verifying a signed request against the
// configured keys, and signing each message of the answer.
#include "config/transfer_config.hpp"
#include "dns/ldns.hpp"
#include "dns/rr.hpp"

#include <string>

namespace srvd::xfr {

enum class TsigStatus { unsigned_request, verified, bad_key, bad_signature, bad_time };

struct TsigVerdict {
    TsigStatus status = TsigStatus::unsigned_request;
    const TsigKey* key = nullptr; // when verified or bad_time (the MAC was good)
    dns::RdfPtr request_mac;      // likewise: the first answer signs over it
};

// `request` was parsed from `wire`; ldns keeps the TSIG record aside.
// `now` is Unix time: a request signed further away than its fudge is
// BADTIME (RFC 8945 5.2.3), which ldns leaves to the caller.
TsigVerdict verify_request(const ldns_pkt* request, const std::uint8_t* wire, std::size_t size,
                           const TransferConfig& config, std::int64_t now);

// Gives `answer` (a NOTAUTH to a request that failed verification) its TSIG
// record with the error (RFC 8945 5.3.2): BADKEY and BADSIG unsigned, since
// the client's key cannot be trusted; BADTIME signed with the key, Other Data
// holding this server's time, so the client can tell its clock is off.
// False if it cannot be built (the answer then goes without).
bool add_error_tsig(ldns_pkt* answer, const ldns_pkt* request, const TsigVerdict& verdict,
                    std::int64_t now);

// Signs a response already in wire form (the engine's answer to a signed
// query) as it is: its bytes, then a TSIG record (RFC 8945 4.3.3: the MAC
// over the request's MAC, the message and the TSIG variables; Error 0),
// ARCOUNT one more. Parsing it with ldns to sign it would rebuild it with
// ldns's compression, not send the engine's bytes. Empty on failure.
std::string sign_response(const TsigKey& key, const ldns_rdf* request_mac,
                          const std::uint8_t* message, std::size_t size, std::int64_t now);

// Signs the messages of one answer in turn (RFC 8945 5.3.1: the first over
// the request's MAC, each later one over the MAC before it, timers only).
class TsigSigner {
  public:
    TsigSigner(const TsigKey& key, dns::RdfPtr request_mac)
        : key_(key), prior_mac_(std::move(request_mac)) {}
    bool sign(ldns_pkt* message);

  private:
    const TsigKey& key_;
    dns::RdfPtr prior_mac_;
    bool first_ = true;
};

} // namespace srvd::xfr
