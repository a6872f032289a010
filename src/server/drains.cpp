#include "server/drains.hpp"

#include "util/state_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace srvd::server {

void Drains::load(const std::string& state_dir) {
    file_ = state_dir + "/drains";
    set_.clear();
    std::ifstream in(file_);
    if (!in) {
        if (errno == ENOENT) return;
        throw std::runtime_error(file_ + ": " + std::strerror(errno));
    }
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string zone, server;
        if (words >> zone >> server) set_.insert({zone, server});
    }
}

std::string Drains::save() const {
    if (file_.empty()) return "no state_dir";
    std::string content;
    for (const auto& [zone, server] : set_) content += zone + " " + server + "\n";
    const std::filesystem::path path(file_);
    return write_state_file(path.parent_path().string(), path.filename().string(), content);
}

} // namespace srvd::server
