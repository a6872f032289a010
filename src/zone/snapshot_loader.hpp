#pragma once
// Configuration file → compiled snapshot: the one loading path shared by
// serve, reload, check, export and explain.
#include "config/server_config.hpp"
#include "zone/snapshot.hpp"

#include <chrono>
#include <memory>

namespace srvd::zone {

struct Loaded {
    ServerConfig config;
    std::shared_ptr<const Snapshot> snapshot;
    std::chrono::milliseconds load_time{0};
};

// Throws LoadError (file:line:column) on any problem.
Loaded load_all(const std::string& config_path);

} // namespace srvd::zone
