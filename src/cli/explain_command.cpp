// `srvd explain`: which region a client falls in and why, and the answer it
// gets — computed by the same loader and answer engine that serve uses.
#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "explain/explain.hpp"
#include "zone/snapshot_loader.hpp"

#include <iostream>

namespace srvd::cli {

int explain_command(const Args& args) {
    auto p = parse(args, allow_client);
    if (!p) return 2;
    if (!p->client || p->positional.empty() || p->positional.size() > 2) {
        std::cerr << "srvd explain: expected --client IP [--ecs PREFIX] NAME [TYPE]\n";
        return 2;
    }
    std::string error;
    const auto question =
        explain::make_query(*p->client, p->ecs, p->positional[0],
                            p->positional.size() == 2 ? p->positional[1] : "", error);
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
