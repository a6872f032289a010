#pragma once
// The srvd subcommands (DESIGN §1). Each takes its arguments after the
// subcommand name and returns the process exit code.
#include <string>
#include <vector>

namespace srvd::cli {

using Args = std::vector<std::string>;

int run(const Args& args); // dispatches on args[0]
int serve_command(const Args& args);
int check_command(const Args& args);
int export_command(const Args& args);
int explain_command(const Args& args);
int ctl_command(const Args& args);

} // namespace srvd::cli
