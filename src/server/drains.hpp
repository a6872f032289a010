#pragma once
// Media servers an operator took out of service (`srvd ctl drain`): kept in
// state_dir so that a reload or a restart does not put a server under
// maintenance back into answers. One "ZONE SERVER" line per drain.
#include <set>
#include <string>
#include <utility>

namespace srvd::server {

class Drains {
  public:
    // Reads `state_dir`/drains; a missing file is no drains. Throws
    // std::runtime_error with the system's reason when it cannot be read.
    void load(const std::string& state_dir);
    // Writes the file (a temporary renamed over it); returns an error text,
    // empty on success.
    std::string save() const;

    bool contains(const std::string& zone, const std::string& server) const {
        return set_.count({zone, server}) != 0;
    }
    // Whether it changed anything.
    bool add(const std::string& zone, const std::string& server) {
        return set_.insert({zone, server}).second;
    }
    bool remove(const std::string& zone, const std::string& server) {
        return set_.erase({zone, server}) != 0;
    }
    const std::set<std::pair<std::string, std::string>>& all() const { return set_; }

  private:
    std::string file_;
    std::set<std::pair<std::string, std::string>> set_;
};

} // namespace srvd::server
