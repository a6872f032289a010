#include "server/drains.hpp"

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
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(file_).parent_path(), ec);
    const std::string temporary = file_ + ".new";
    {
        std::ofstream out(temporary, std::ios::trunc);
        for (const auto& [zone, server] : set_) out << zone << " " << server << "\n";
        out.flush();
        if (!out) return temporary + ": " + std::strerror(errno);
    }
    if (std::rename(temporary.c_str(), file_.c_str()) != 0)
        return file_ + ": " + std::strerror(errno);
    return {};
}

} // namespace srvd::server
