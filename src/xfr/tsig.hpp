#pragma once
// TSIG (RFC 8945): verifying a signed request where the query parser found
// its TSIG record, and signing messages in wire form: the engine's answers,
// the transfer layer's, srvd's own NOTIFYs, all by the one signer below.
#include "config/transfer_config.hpp"
#include "dns/ldns.hpp"
#include "dns/rr.hpp"

#include <cstdint>
#include <string>
#include <string_view>

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
    std::string request_mac;              // likewise, with its size: the first answer signs over it
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

// `answer` (a NOTAUTH to a request that failed verification, wire form)
// with a TSIG record holding the error (RFC 8945 5.3.2): BADKEY and BADSIG
// unsigned, since the client's key cannot be trusted; BADTIME signed with
// the key, Other Data holding this server's time, so the client can tell
// its clock is off. Empty if it cannot be built (the answer then goes
// without).
std::string add_error_tsig(std::string_view answer, const TsigVerdict& verdict, std::int64_t now);

// Signs messages in wire form as they are: their bytes, then a TSIG record,
// ARCOUNT one more (parsing a message to sign it would rebuild it with
// another compression, not send the engine's bytes). The first message is
// signed over `prior_mac` (a request's MAC with its size, as TsigVerdict
// has it; empty for a request of srvd's own, such as NOTIFY) with every
// TSIG variable (4.3.3); each later one over the MAC before it, timers only
// (5.3.1: the messages of one transfer). Empty on failure.
class TsigSigner {
  public:
    explicit TsigSigner(const config::TsigKey& key, std::string prior_mac = {})
        : key_(key), prior_mac_(std::move(prior_mac)) {}
    std::string sign(std::string_view message, std::int64_t now);

  private:
    const config::TsigKey& key_;
    std::string prior_mac_;
    bool first_ = true;
};

} // namespace srvd::xfr
