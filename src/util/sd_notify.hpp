#pragma once
// The systemd readiness protocol (sd_notify(3)), spoken without linking
// libsystemd: one datagram of KEY=VALUE lines to the socket named by
// $NOTIFY_SOCKET, as NSD and Knot send theirs under Type=notify. Without
// that variable (not started by systemd) nothing is sent.
#include <string>

namespace srvd::sd {

// Sends `state` ("READY=1\nSTATUS=..."); returns whether it was sent.
bool notify(const std::string& state);

// "READY=1" with a STATUS line; "RELOADING=1" with the monotonic time
// systemd wants next to it (systemd.service(5)); "STOPPING=1".
bool ready(const std::string& status);
bool reloading();
bool stopping();

} // namespace srvd::sd
