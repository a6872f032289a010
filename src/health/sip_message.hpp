#pragma once
// The SIP of an OPTIONS probe: the request srvd sends and how a response is
// read (its status code, and whether it answers this request at all).
#include <string>
#include <string_view>

namespace srvd::health {

// What identifies one probe's request, and so its response: each token 128
// random bits from the kernel, so that no one off the path can forge a
// response that srvd would take for the media server's (RFC 3261 17.1.3).
struct ProbeIds {
    std::string branch, tag, call_id;
};
ProbeIds new_probe_ids();

// The OPTIONS request srvd sends.
std::string options_request(const std::string& target, const std::string& local,
                            const char* transport, const ProbeIds& ids);
// "SIP/2.0 200 OK\r\n…" → 200; 0 when the text is not a SIP response.
int status_code(const std::string& response);
// Whether a response (its header block) answers the request with `ids`:
// its top Via's branch, its From tag, Call-ID and CSeq ("1 OPTIONS") are
// the request's. Anything else is not the media server's answer to it.
bool answers(const std::string& response, const ProbeIds& ids);
// The value of Content-Length (or its compact form "l") in a response's
// header block; 0 when absent.
std::size_t content_length(const std::string& head);
// The first value of a header (its name without case), trimmed; empty when
// absent.
std::string header_value(const std::string& head, std::string_view name);

} // namespace srvd::health
