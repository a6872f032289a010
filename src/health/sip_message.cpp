#include "health/sip_message.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include <sys/random.h>

namespace srvd::health {

ProbeIds new_probe_ids() {
    static const char hex[] = "0123456789abcdef";
    std::uint8_t random[48];
    // getrandom(2) fails only before the kernel's pool is seeded, at boot.
    while (getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random)) {
    }
    std::string tokens[3];
    for (int t = 0; t < 3; ++t)
        for (int i = 0; i < 16; ++i) {
            tokens[t].push_back(hex[random[16 * t + i] >> 4]);
            tokens[t].push_back(hex[random[16 * t + i] & 15]);
        }
    return {"z9hG4bK" + tokens[0], tokens[1], tokens[2] + "@srvd"};
}

std::string options_request(const std::string& target, const std::string& local,
                            const char* transport, const ProbeIds& ids) {
    return "OPTIONS sip:" + target + " SIP/2.0\r\n" + "Via: SIP/2.0/" + transport + " " + local +
           ";branch=" + ids.branch + ";rport\r\n" +
           "Max-Forwards: 70\r\n"
           "From: <sip:srvd@" +
           local + ">;tag=" + ids.tag + "\r\n" + "To: <sip:" + target + ">\r\n" +
           "Call-ID: " + ids.call_id + "\r\n" +
           "CSeq: 1 OPTIONS\r\n"
           "Contact: <sip:srvd@" +
           local + ">\r\n" +
           "Accept: application/sdp\r\n"
           "User-Agent: srvd/" SRVD_VERSION "\r\n"
           "Content-Length: 0\r\n\r\n";
}

namespace {

std::string lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// The value of a header parameter (";branch=..."), compared without case
// as RFC 3261 7.3.1 has parameter names; empty when absent.
std::string_view parameter(std::string_view value, std::string_view name) {
    const std::string lower = lowercase(value);
    for (std::size_t at = lower.find(';'); at != std::string::npos; at = lower.find(';', at + 1)) {
        std::string_view p = trim(value.substr(at + 1));
        if (lowercase(p.substr(0, name.size())) != name || p.size() <= name.size() ||
            p[name.size()] != '=')
            continue;
        p.remove_prefix(name.size() + 1);
        return trim(p.substr(0, p.find_first_of(";, \t")));
    }
    return {};
}

// Calls fn(lowercased name, trimmed value) for each header of a message's
// header block, in order, while it returns true.
template <typename Fn> void for_each_header(std::string_view message, Fn&& fn) {
    std::string_view rest(message);
    rest.remove_prefix(std::min(rest.size(), rest.find('\n') + 1)); // the status line
    while (!rest.empty()) {
        const std::size_t end = rest.find('\n');
        const std::string_view line = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
        if (trim(line).empty()) return; // the end of the header block
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        if (!fn(lowercase(trim(line.substr(0, colon))), trim(line.substr(colon + 1)))) return;
    }
}

} // namespace

bool answers(const std::string& response, const ProbeIds& ids) {
    // The first value of each header that identifies the transaction, by
    // its full or compact name (RFC 3261 7.3.3).
    std::string_view via, from, call_id, cseq;
    for_each_header(response, [&](const std::string& name, std::string_view value) {
        std::string_view* field = name == "via" || name == "v"       ? &via
                                  : name == "from" || name == "f"    ? &from
                                  : name == "call-id" || name == "i" ? &call_id
                                  : name == "cseq"                   ? &cseq
                                                                     : nullptr;
        if (field && field->empty()) *field = value;
        return true;
    });
    const std::string_view top_via = via.substr(0, via.find(','));
    return parameter(top_via, "branch") == ids.branch && parameter(from, "tag") == ids.tag &&
           call_id == ids.call_id && lowercase(cseq) == "1 options";
}

int status_code(const std::string& response) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 7.2)
    if (response.size() < 12 || response.compare(0, 8, "SIP/2.0 ") != 0) return 0;
    int code = 0;
    for (int i = 8; i < 11; ++i) {
        if (response[i] < '0' || response[i] > '9') return 0;
        code = code * 10 + (response[i] - '0');
    }
    return code >= 100 && code <= 699 ? code : 0;
}

std::string header_value(const std::string& head, std::string_view name) {
    const std::string wanted = lowercase(name);
    std::string found;
    for_each_header(head, [&](const std::string& header, std::string_view value) {
        if (header != wanted) return true;
        found = value;
        return false;
    });
    return found;
}

std::size_t content_length(const std::string& head) {
    std::string value = header_value(head, "content-length");
    if (value.empty()) value = header_value(head, "l"); // its compact form
    return static_cast<std::size_t>(std::strtoul(value.c_str(), nullptr, 10));
}

} // namespace srvd::health
