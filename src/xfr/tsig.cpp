#include "xfr/tsig.hpp"

#include "dns/wire.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace srvd::xfr {
namespace {

// TSIG error codes (RFC 8945 4.3, in the record's Error field).
constexpr std::uint16_t badsig = 16, badkey = 17, badtime = 18;

// Knot's and BIND's default: the clocks of primary and secondary may differ by 5 min.
constexpr std::uint16_t fudge = 300;

const EVP_MD* digest_of(const std::string& algorithm) {
    if (algorithm == "hmac-sha256.") return EVP_sha256();
    if (algorithm == "hmac-sha512.") return EVP_sha512();
    if (algorithm == "hmac-sha1.") return EVP_sha1();
    if (algorithm == "hmac-md5.sig-alg.reg.int.") return EVP_md5();
    return nullptr;
}

// RFC 8945 4.3.3: the MAC of a response, over the request's MAC (with its
// size), the response as sent without its TSIG (wire form), and the TSIG
// variables. A request's MAC is the same without the prior MAC. A later
// message of a multi-message answer: over the MAC before it, the message
// and the timers only (time signed, fudge: 5.3.1).
std::string mac_over(const config::TsigKey& key, std::string_view prior_mac,
                     std::string_view message, std::int64_t time, std::uint16_t fudge,
                     std::uint16_t error, const std::string& other, bool timers_only = false) {
    const EVP_MD* md = digest_of(key.algorithm);
    ldns_rdf* secret = nullptr;
    if (!md || ldns_str2rdf_b64(&secret, key.secret.c_str()) != LDNS_STATUS_OK) return {};
    dns::RdfPtr secret_owned(secret);
    std::string data(prior_mac);
    data.append(message);
    dns::RdfPtr key_name(ldns_dname_new_frm_str(key.name.c_str()));
    dns::RdfPtr algorithm(ldns_dname_new_frm_str(key.algorithm.c_str()));
    if (!key_name || !algorithm) return {};
    if (!timers_only) {
        data += dns::rdf_bytes(key_name.get());
        dns::append_uint(data, LDNS_RR_CLASS_ANY, 2);
        dns::append_uint(data, 0, 4); // TTL
        data += dns::rdf_bytes(algorithm.get());
    }
    dns::append_uint(data, static_cast<std::uint64_t>(time), 6);
    dns::append_uint(data, fudge, 2);
    if (!timers_only) {
        dns::append_uint(data, error, 2);
        dns::append_uint(data, other.size(), 2);
        data += other;
    }
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    if (!HMAC(md, ldns_rdf_data(secret), static_cast<int>(ldns_rdf_size(secret)),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_size))
        return {};
    return std::string(reinterpret_cast<const char*>(mac), mac_size);
}

// `message` with a TSIG record appended (ARCOUNT one more): its owner the
// key's name, its RDATA the algorithm, the times, the MAC (with its size),
// the message's own ID as Original ID, the error and Other Data.
std::string append_tsig(std::string_view message, const std::string& key_name,
                        const std::string& algorithm_name, std::int64_t time,
                        const std::string& mac, std::uint16_t error, const std::string& other) {
    dns::RdfPtr name(ldns_dname_new_frm_str(key_name.c_str()));
    dns::RdfPtr algorithm(ldns_dname_new_frm_str(algorithm_name.c_str()));
    if (!name || !algorithm || message.size() < dns::header_size) return {};
    std::string rdata(dns::rdf_bytes(algorithm.get()));
    dns::append_uint(rdata, static_cast<std::uint64_t>(time), 6);
    dns::append_uint(rdata, fudge, 2);
    dns::append_uint(rdata, mac.size(), 2);
    rdata += mac;
    rdata.append(message.substr(0, 2)); // Original ID: the message's
    dns::append_uint(rdata, error, 2);
    dns::append_uint(rdata, other.size(), 2);
    rdata += other;
    std::string out(message);
    out += dns::rdf_bytes(name.get());
    dns::append_uint(out, LDNS_RR_TYPE_TSIG, 2);
    dns::append_uint(out, LDNS_RR_CLASS_ANY, 2);
    dns::append_uint(out, 0, 4);
    dns::append_uint(out, rdata.size(), 2);
    out += rdata;
    const auto arcount = static_cast<std::uint16_t>(
        dns::get16(reinterpret_cast<const std::uint8_t*>(out.data()) + 10) + 1);
    out[10] = static_cast<char>(arcount >> 8);
    out[11] = static_cast<char>(arcount & 0xff);
    return out;
}

// A MAC as a prior MAC field: its size, then its bytes.
std::string with_size(const std::string& mac) {
    std::string out;
    dns::append_uint(out, mac.size(), 2);
    return out + mac;
}

// A request's TSIG record, read where the query parser found it. Names
// through ldns, which follows compression pointers.
struct RequestTsig {
    dns::RdfPtr key_name, algorithm;
    std::int64_t time_signed;
    std::uint16_t fudge, original_id, error;
    std::string mac, other;
};

std::optional<RequestTsig> read_tsig(const std::uint8_t* wire, std::size_t size, std::size_t at) {
    RequestTsig t;
    ldns_rdf* name = nullptr;
    if (ldns_wire2dname(&name, wire, size, &at) != LDNS_STATUS_OK) return std::nullopt;
    t.key_name.reset(name);
    if (at + 10 > size || dns::get16(wire + at) != LDNS_RR_TYPE_TSIG) return std::nullopt;
    const std::size_t end = at + 10 + dns::get16(wire + at + 8);
    at += 10;
    if (end != size) return std::nullopt; // the last record, to the last byte
    if (ldns_wire2dname(&name, wire, size, &at) != LDNS_STATUS_OK) return std::nullopt;
    t.algorithm.reset(name);
    auto field = [&](std::size_t n, std::uint64_t& out) {
        if (at + n > end) return false;
        out = 0;
        for (std::size_t i = 0; i < n; ++i) out = out << 8 | wire[at++];
        return true;
    };
    auto bytes = [&](std::string& out) {
        std::uint64_t n = 0;
        if (!field(2, n) || at + n > end) return false;
        out.assign(reinterpret_cast<const char*>(wire + at), n);
        at += n;
        return true;
    };
    std::uint64_t time = 0, fudge_field = 0, id = 0, error = 0;
    if (!field(6, time) || !field(2, fudge_field) || !bytes(t.mac) || !field(2, id) ||
        !field(2, error) || !bytes(t.other) || at != end)
        return std::nullopt;
    t.time_signed = static_cast<std::int64_t>(time);
    t.fudge = static_cast<std::uint16_t>(fudge_field);
    t.original_id = static_cast<std::uint16_t>(id);
    t.error = static_cast<std::uint16_t>(error);
    return t;
}

} // namespace

std::string add_error_tsig(std::string_view answer, const TsigVerdict& verdict, std::int64_t now) {
    if (!verdict.key_name || !verdict.algorithm) return {};
    const bool timing = verdict.status == TsigStatus::bad_time && verdict.key;
    const std::uint16_t error = timing                                  ? badtime
                                : verdict.status == TsigStatus::bad_key ? badkey
                                                                        : badsig;
    // BADTIME: Time Signed is the request's, Other Data our clock (RFC 8945 5.2.3).
    const std::int64_t time = verdict.time_signed;
    std::string other, mac;
    if (timing) {
        dns::append_uint(other, static_cast<std::uint64_t>(now), 6);
        mac = mac_over(*verdict.key, verdict.request_mac, answer, time, fudge, error, other);
        if (mac.empty()) return {};
    }
    return append_tsig(answer, dns::rdf_to_text(verdict.key_name.get()),
                       dns::rdf_to_text(verdict.algorithm.get()), time, mac, error, other);
}

TsigVerdict verify_request(const std::uint8_t* wire, std::size_t size, std::size_t tsig_offset,
                           const config::TransferConfig& config, std::int64_t now) {
    TsigVerdict v;
    if (tsig_offset == 0) return v;
    std::optional<RequestTsig> t = read_tsig(wire, size, tsig_offset);
    if (!t) {
        v.status = TsigStatus::malformed;
        return v;
    }
    ldns_dname2canonical(t->key_name.get());
    ldns_dname2canonical(t->algorithm.get());
    v.time_signed = t->time_signed;
    const config::TsigKey* key = config.find_key(dns::rdf_to_text(t->key_name.get()));
    const bool known = key && dns::rdf_to_text(t->algorithm.get()) == key->algorithm;
    v.key_name = std::move(t->key_name);
    v.algorithm = std::move(t->algorithm);
    if (!known) {
        v.status = TsigStatus::bad_key;
        return v;
    }
    // The message as signed: without its TSIG record, ARCOUNT one less, the
    // ID the client signed (a forwarder may have changed the ID).
    std::string message(reinterpret_cast<const char*>(wire), tsig_offset);
    const std::uint16_t arcount = static_cast<std::uint16_t>(dns::get16(wire + 10) - 1);
    message[0] = static_cast<char>(t->original_id >> 8);
    message[1] = static_cast<char>(t->original_id & 0xff);
    message[10] = static_cast<char>(arcount >> 8);
    message[11] = static_cast<char>(arcount & 0xff);
    const std::string expected =
        mac_over(*key, {}, message, t->time_signed, t->fudge, t->error, t->other);
    if (expected.empty() || expected.size() != t->mac.size() ||
        CRYPTO_memcmp(expected.data(), t->mac.data(), expected.size()) != 0) {
        v.status = TsigStatus::bad_signature;
        return v;
    }
    v.key = key;
    v.request_mac = with_size(t->mac);
    v.status =
        std::abs(now - t->time_signed) > t->fudge ? TsigStatus::bad_time : TsigStatus::verified;
    return v;
}

std::string TsigSigner::sign(std::string_view message, std::int64_t now) {
    if (message.size() < dns::header_size) return {};
    const std::string mac = mac_over(key_, prior_mac_, message, now, fudge, 0, {}, !first_);
    if (mac.empty()) return {};
    first_ = false;
    prior_mac_ = with_size(mac);
    return append_tsig(message, key_.name, key_.algorithm, now, mac, 0, {});
}

} // namespace srvd::xfr
