#pragma once
// TSIG (RFC 8945): verifying a signed request where the query parser found
// its TSIG record, and signing each message of the answer (through ldns
// for the transfer layer's own messages).
#include "config/transfer_config.hpp"
#include "dns/ldns.hpp"
#include "dns/rr.hpp"

#include <string>

namespace srvd::xfr {

enum class TsigStatus {
    unsigned_request,
    malformed, // a TSIG record that cannot be read: FORMERR, unsigned (RFC 8945 5.2)
    verified,
    bad_key,
    bad_signature,
    bad_time,
};

struct TsigVerdict {
    TsigStatus status = TsigStatus::unsigned_request;
    const config::TsigKey* key = nullptr; // when verified or bad_time (the MAC was good)
    dns::RdfPtr request_mac;              // likewise: the first answer signs over it
    // The request's TSIG as read, for an error answer to echo (RFC 8945 5.3.2).
    dns::RdfPtr key_name, algorithm; // canonical (lowercased) names
    std::int64_t time_signed = 0;
};

// `tsig_offset`: where the parser found the TSIG record, the message's last
// (0: unsigned). The MAC is checked over the bytes before it, with ARCOUNT
// one less and the Original ID (RFC 8945 4.3.3, 5.2.2). `now` is Unix time:
// a request signed further away than its fudge is BADTIME (5.2.3).
TsigVerdict verify_request(const std::uint8_t* wire, std::size_t size, std::size_t tsig_offset,
                           const config::TransferConfig& config, std::int64_t now);

// Gives `answer` (a NOTAUTH to a request that failed verification) its TSIG
// record with the error (RFC 8945 5.3.2): BADKEY and BADSIG unsigned, since
// the client's key cannot be trusted; BADTIME signed with the key, Other Data
// holding this server's time, so the client can tell its clock is off.
// False if it cannot be built (the answer then goes without).
bool add_error_tsig(ldns_pkt* answer, std::uint16_t request_id, const TsigVerdict& verdict,
                    std::int64_t now);

// Signs a response already in wire form (the engine's answer to a signed
// query) as it is: its bytes, then a TSIG record (RFC 8945 4.3.3: the MAC
// over the request's MAC, the message and the TSIG variables; Error 0),
// ARCOUNT one more. Parsing it with ldns to sign it would rebuild it with
// ldns's compression, not send the engine's bytes. Empty on failure.
std::string sign_response(const config::TsigKey& key, const ldns_rdf* request_mac,
                          const std::uint8_t* message, std::size_t size, std::int64_t now);

// Signs the messages of one answer in turn (RFC 8945 5.3.1: the first over
// the request's MAC, each later one over the MAC before it, timers only).
class TsigSigner {
  public:
    TsigSigner(const config::TsigKey& key, dns::RdfPtr request_mac)
        : key_(key), prior_mac_(std::move(request_mac)) {}
    bool sign(ldns_pkt* message);

  private:
    const config::TsigKey& key_;
    dns::RdfPtr prior_mac_;
    bool first_ = true;
};

} // namespace srvd::xfr
