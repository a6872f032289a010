#pragma once
// A failover drill: what the failure (or drain) of media servers would
// change in the answers, before the maintenance window. `srvd check --down`
// runs it on the configuration as loaded (every other server up), `srvd ctl
// explain --down` on what the running server serves (live health and
// drains). It builds zones aside and changes nothing.
#include "zone/snapshot/snapshot.hpp"

#include <ostream>
#include <string>
#include <vector>

namespace srvd::explain {

// Writes every changed answer (zone, regions, name, type, before -> after)
// and every zone left with no server up, of the zones of `s` listing any of
// `down` (of `zones` only, when given). False, with `error` set, when a
// server of `down` is in no zone.
bool drill(std::ostream& out, const zone::Snapshot& s, const std::vector<std::string>& down,
           const std::vector<std::string>& zones, std::string& error);

// `--down SERVER`... and ZONEs, as `srvd ctl explain --down` takes them;
// false with `error` set when the words are not that.
bool parse_drill_words(const std::vector<std::string>& words, std::vector<std::string>& down,
                       std::vector<std::string>& zones, std::string& error);

} // namespace srvd::explain
