// `srvd explain`: which region a client falls in and why, and the answer it
// gets — computed by the same loader and answer engine that serve uses.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "explain/explain.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <iostream>

namespace srvd::cli {

int explain_command(const Args& args) {
    // -c here; the rest, options included, is explain's own (one parser
    // for this and `srvd ctl explain`).
    auto p = parse(args, pass_rest);
    if (!p) return 2;
    std::string error;
    const auto question = explain::parse_words(p->positional, error);
    if (!question) {
        std::cerr << "srvd explain: " << error << "\n";
        return 2;
    }
    const auto loaded = load_or_report(p->config);
    if (!loaded) return 1;
    explain::write(std::cout, *loaded->snapshot, *question, false);
    return 0;
}

} // namespace srvd::cli
