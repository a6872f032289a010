#include "xfr/responder.hpp"

#include "dns/ldns_owned.hpp"
#include "dns/name.hpp"
#include "dns/wire.hpp"
#include "util/address_prefix.hpp"
#include "util/asio_address.hpp"
#include "xfr/tsig.hpp"

#include <algorithm>
#include <ctime>
#include <memory>
#include <optional>

namespace srvd::xfr {
namespace {

using dns::PktPtr;

// Large enough that a big zone goes in few messages, well under 65535 so a
// message never overflows after compression differences and the TSIG record.
constexpr std::size_t message_budget = 16 * 1024;

std::string client_text(const engine::ClientAddress& c) {
    return c.family ? address_of(c.family == 6, c.bytes).to_string() : "?";
}

class Responder {
  public:
    Responder(const zone::Snapshot& s, const engine::Request& r, const engine::ParsedQuery& q)
        : snapshot_(s), request_(r), query_(q), question_(question_of(r, q)) {}

    Outcome run(TsigVerdict tsig, std::int64_t now) {
        now_ = now;
        if (tsig.status == TsigStatus::verified) {
            key_name_ = tsig.key->name;
            signer_.emplace(*tsig.key, tsig.request_mac);
        }
        const std::uint16_t qtype = query_.qtype;
        const std::string_view apex(reinterpret_cast<const char*>(query_.qname), query_.qname_size);
        zone_name_ = dns::name_to_text(apex);
        if (tsig.status != TsigStatus::verified && tsig.status != TsigStatus::unsigned_request)
            return refuse_tsig(tsig);
        if (qtype != LDNS_RR_TYPE_AXFR && qtype != LDNS_RR_TYPE_IXFR) {
            // A signed ordinary query (a secondary's SOA check): the engine's
            // answer, byte for byte, with a TSIG record after it.
            std::string answer(dns::max_message_size, '\0');
            answer.resize(engine::answer_parsed(
                snapshot_, request_, engine::ParseStatus::ok, query_,
                reinterpret_cast<std::uint8_t*>(answer.data()), answer.size()));
            if (answer.empty()) return {};
            if (!signer_) {
                out_.messages.push_back(std::move(answer));
                return std::move(out_);
            }
            answer = signer_->sign(answer, now);
            if (answer.empty()) return {};
            if (request_.protocol != engine::Protocol::udp || answer.size() <= udp_limit()) {
                out_.messages.push_back(std::move(answer));
                return std::move(out_);
            }
            // RFC 8945 5.3: when the TSIG does not fit, the answer is the
            // question alone, TC set, NOERROR, signed; the client retries
            // over TCP.
            auto m = header(LDNS_RCODE_NOERROR, true);
            ldns_pkt_set_tc(m.get(), true);
            signer_.emplace(*tsig.key, tsig.request_mac); // the answer not sent is not prior
            add(std::move(m));
            return std::move(out_);
        }
        const std::string_view key = apex; // the parser lowercased it
        if (!snapshot_.zone_index.count(key)) {
            refuse(LDNS_RCODE_NOTAUTH); // RFC 5936 2.2.1: not authoritative
            log("refused: not a zone served here");
            return std::move(out_);
        }
        const auto found = snapshot_.transfers.find(key);
        const zone::ZoneTransfer* zone =
            found == snapshot_.transfers.end() ? nullptr : found->second.get();
        if (!zone || !allowed(tsig.key)) {
            refuse(LDNS_RCODE_REFUSED);
            log("refused: not allowed by transfer.allow");
            return std::move(out_);
        }
        if (request_.protocol == engine::Protocol::udp) {
            if (qtype == LDNS_RR_TYPE_AXFR) { // RFC 5936 4.2: TCP only
                refuse(LDNS_RCODE_NOTIMPL);
                return std::move(out_);
            }
            // RFC 1995 2: a UDP IXFR that does not fit gets the current SOA;
            // the client retries over TCP.
            out_.kind = Outcome::Kind::ixfr;
            auto m = header(LDNS_RCODE_NOERROR, true);
            push(m.get(), zone->current->soa);
            add(std::move(m));
            return std::move(out_);
        }
        if (qtype == LDNS_RR_TYPE_IXFR && ixfr(*zone)) return std::move(out_);
        axfr(*zone->current, qtype == LDNS_RR_TYPE_IXFR);
        return std::move(out_);
    }

  private:
    // IXFR from the client's serial: the current SOA alone when it is up to
    // date, the journal's changes when it reaches back that far; false when
    // it does not (the whole zone then, RFC 1995 4).
    bool ixfr(const zone::ZoneTransfer& zone) {
        const auto& current = *zone.current;
        const std::uint32_t client_serial = ixfr_serial();
        out_.kind = Outcome::Kind::ixfr;
        if (!zone::serial_newer(current.serial, client_serial)) {
            stream_begin();
            stream(current.soa);
            stream_end();
            log("IXFR serial " + std::to_string(client_serial) + ": up to date");
            return true;
        }
        const auto changes = zone.changes_since(client_serial);
        if (changes.empty()) return false;
        stream_begin();
        stream(current.soa);
        for (const zone::Changeset* c : changes) {
            stream(c->from_soa.get());
            for (const auto& rr : c->removed) stream(rr.get());
            stream(c->to_soa.get());
            for (const auto& rr : c->added) stream(rr.get());
        }
        stream(current.soa);
        stream_end();
        log("IXFR " + std::to_string(client_serial) + " -> " + std::to_string(current.serial) +
            ": " + std::to_string(changes.size()) + " change(s), " +
            std::to_string(out_.messages.size()) + " message(s)");
        return true;
    }

    // The whole zone: SOA, every record, SOA (RFC 5936 2.2).
    void axfr(const zone::ZoneVersion& current, bool for_ixfr) {
        out_.kind = Outcome::Kind::axfr;
        stream_begin();
        stream(current.soa);
        for (const ldns_rr* rr : current.records) stream(rr);
        stream(current.soa);
        stream_end();
        log(std::string(for_ixfr ? "IXFR answered with the full zone" : "AXFR") + " serial " +
            std::to_string(current.serial) + ": " + std::to_string(current.records.size() + 2) +
            " records, " + std::to_string(out_.messages.size()) + " message(s)");
    }

    void log(const std::string& what) {
        out_.log = "transfer of " + zone_name_ + " to " + client_text(request_.client) +
                   (signer_ ? " (key " + key_name_ + ")" : "") + ": " + what;
    }

    bool allowed(const config::TsigKey* key) const {
        for (const auto& a : snapshot_.transfer.allow)
            if (in_prefix(request_.client, a.prefix) &&
                (a.key.empty() || (key && key->name == a.key)))
                return true;
        return false;
    }

    std::size_t udp_limit() const { return engine::udp_reply_limit(query_, snapshot_.udp_payload); }

    std::uint32_t ixfr_serial() const { return query_.has_ixfr_serial ? query_.ixfr_serial : 0; }

    // The question as the client wrote it (its letter case), for the replies.
    static dns::RrPtr question_of(const engine::Request& r, const engine::ParsedQuery& q) {
        dns::RrPtr rr(ldns_rr_new());
        ldns_rr_set_owner(rr.get(),
                          ldns_dname_new_frm_data(q.qname_size, r.data + dns::header_size));
        ldns_rr_set_type(rr.get(), static_cast<ldns_rr_type>(q.qtype));
        ldns_rr_set_class(rr.get(), static_cast<ldns_rr_class>(q.qclass));
        ldns_rr_set_question(rr.get(), true);
        return rr;
    }

    // A response to the query: same ID and question, QR and AA set; the
    // first message of a reply to an EDNS query has the OPT (RFC 6891 7),
    // the transfer layer's one place for it.
    PktPtr header(ldns_pkt_rcode rcode, bool with_question) const {
        PktPtr m(ldns_pkt_new());
        ldns_pkt_set_id(m.get(), query_.id);
        ldns_pkt_set_qr(m.get(), true);
        ldns_pkt_set_aa(m.get(), rcode == LDNS_RCODE_NOERROR);
        ldns_pkt_set_opcode(m.get(), LDNS_PACKET_QUERY);
        ldns_pkt_set_rcode(m.get(), rcode);
        if (with_question)
            ldns_pkt_push_rr(m.get(), LDNS_SECTION_QUESTION, ldns_rr_clone(question_.get()));
        if (with_question && query_.edns)
            ldns_pkt_set_edns_udp_size(m.get(), snapshot_.udp_payload);
        return m;
    }

    void refuse(ldns_pkt_rcode rcode) {
        out_.kind = Outcome::Kind::refused;
        add(header(rcode, true));
    }

    static void push(ldns_pkt* m, const ldns_rr* rr) {
        ldns_pkt_push_rr(m, LDNS_SECTION_ANSWER, ldns_rr_clone(rr));
    }

    // Appends one message, signed when the request was; with
    // `error_tsig`, the record of a TSIG error instead (refuse_tsig).
    void add(PktPtr m, const TsigVerdict* error_tsig = nullptr) {
        std::string message = dns::packet_wire(m.get());
        if (message.empty()) return;
        if (error_tsig) {
            if (std::string with = add_error_tsig(message, *error_tsig, now_); !with.empty())
                message = std::move(with);
        } else if (signer_) {
            message = signer_->sign(message, now_);
            if (message.empty()) return;
        }
        out_.messages.push_back(std::move(message));
    }

    // A zone stream: records packed into messages of about message_budget bytes.
    void stream_begin() {
        pending_ = header(LDNS_RCODE_NOERROR, true);
        pending_size_ = 0;
    }
    void stream(const ldns_rr* rr) {
        const std::size_t size = ldns_rr_uncompressed_size(rr);
        if (pending_size_ > 0 && pending_size_ + size > message_budget) {
            add(std::move(pending_));
            pending_ = header(LDNS_RCODE_NOERROR, false);
            pending_size_ = 0;
        }
        push(pending_.get(), rr);
        pending_size_ += size;
    }
    void stream_end() { add(std::move(pending_)); }

    // RFC 8945 5.2: a TSIG record that cannot be read makes the message
    // corrupt: FORMERR, the one error not signed. Any other TSIG error:
    // NOTAUTH, with the error in a TSIG record for the client.
    Outcome refuse_tsig(const TsigVerdict& tsig) {
        out_.kind = Outcome::Kind::refused;
        if (tsig.status == TsigStatus::malformed) {
            add(header(LDNS_RCODE_FORMERR, true));
            log("refused: a TSIG record that cannot be read (FORMERR)");
            return std::move(out_);
        }
        add(header(LDNS_RCODE_NOTAUTH, true), &tsig);
        log(tsig.status == TsigStatus::bad_key         ? "refused: unknown TSIG key or algorithm"
            : tsig.status == TsigStatus::bad_signature ? "refused: TSIG signature does not verify"
                                                       : "refused: TSIG time outside the fudge "
                                                         "(clocks?)");
        return std::move(out_);
    }

    const zone::Snapshot& snapshot_;
    const engine::Request& request_;
    const engine::ParsedQuery& query_;
    dns::RrPtr question_;
    std::optional<TsigSigner> signer_;
    std::int64_t now_ = 0;
    std::string key_name_;
    std::string zone_name_;
    PktPtr pending_;
    std::size_t pending_size_ = 0;
    Outcome out_;
};

} // namespace

Outcome respond(const zone::Snapshot& snapshot, const engine::Request& request,
                const engine::ParsedQuery& query) {
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    TsigVerdict tsig =
        verify_request(request.data, request.size, query.tsig_offset, snapshot.transfer, now);
    return Responder(snapshot, request, query).run(std::move(tsig), now);
}

} // namespace srvd::xfr
