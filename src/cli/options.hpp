#pragma once
// Command-line options shared by the subcommands.
#include "cli/commands.hpp"
#include "zone/snapshot/snapshot_loader.hpp"

#include <optional>
#include <string>
#include <vector>

namespace srvd::cli {

extern const char* const usage_text;

// One command's usage, options and an example; null for an unknown command.
const char* command_help(const std::string& command);

struct Parsed {
    std::string config;
    std::vector<std::string> listen;
    std::optional<std::string> region;
    std::vector<std::string> positional;
    std::vector<std::string> down; // check --down: media servers of a failover drill
    bool allow_root = false;
};

// pass_rest: options this parser does not know are positional words, left
// to the command's own parser (explain's).
enum Allow : unsigned { allow_listen = 1, allow_region = 2, pass_rest = 4, allow_down = 8 };

// Parses args[1..]; -c is required. Prints the reason and returns nullopt on
// a usage error.
std::optional<Parsed> parse(const Args& args, unsigned allow = 0);

// Loads as `serve` would; on failure prints file:line:column: message and
// returns nullopt.
std::optional<zone::Loaded> load_or_report(const std::string& config);

} // namespace srvd::cli
