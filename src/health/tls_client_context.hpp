#pragma once
// The TLS client context of the SIP OPTIONS probes over TLS: one per CA
// file, made again only when the file changes on disk. A context with the
// system bundle (~140 certificates) took 15-30 ms to make on this project's
// VMs; made per attempt, 50 servers probed over TLS every 2 s kept the
// control thread (probes, `srvd ctl`, /metrics) busy most of every second.
#include <boost/asio/ssl/context.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace srvd::health {

// The context for `ca_file` (empty: no CA file, certificates not checked).
// Null, with `error` set, when the file cannot be read or holds no usable
// certificate. A file replaced or rewritten since (its inode, size or
// modification time differ) is read again: an operator's new CA applies
// from the next probe.
std::shared_ptr<boost::asio::ssl::context> tls_client_context(const std::string& ca_file,
                                                              std::string& error);

// How many contexts have been made since the start (for tests).
std::size_t tls_client_contexts_made();

} // namespace srvd::health
