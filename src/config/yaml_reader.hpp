#pragma once
// The one place that turns YAML nodes into checked values. Nothing outside
// src/config sees a YAML::Node.
#include "config/load_error.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace srvd::config {

// A configuration file's bytes (at most YamlReader::max_file_bytes); throws LoadError.
std::string read_config_file(const std::string& path);

class YamlReader {
  public:
    // A policy of 10,000 proxies is under 1 MiB; 64 MiB leaves room for
    // very large `records:` lists and still loads in a few hundred MB.
    static constexpr std::uint64_t max_file_bytes = 64ull << 20;

    explicit YamlReader(std::string file) : file_(std::move(file)) {}

    // Parses the whole file; syntax errors become LoadError with the position.
    // `digest`: set to stable_hash of the file's bytes.
    YAML::Node load(std::uint64_t* digest = nullptr) const;

    const std::string& file() const { return file_; }
    SourceMark mark(const YAML::Node& node) const;
    [[noreturn]] void fail(const YAML::Node& at, const std::string& message) const;

    void expect_map(const YAML::Node& node, std::string_view what) const;
    void expect_seq(const YAML::Node& node, std::string_view what) const;
    // Unknown keys are errors, never silently ignored (a typo must not pass).
    void check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                    std::string_view where) const;
    void require(const YAML::Node& map, std::string_view key, std::string_view where) const;

    std::string string(const YAML::Node& node, std::string_view what) const;
    std::int64_t integer(const YAML::Node& node, std::int64_t min, std::int64_t max,
                         std::string_view what) const;
    double number(const YAML::Node& node, std::string_view what) const;
    bool boolean(const YAML::Node& node, std::string_view what) const;

  private:
    std::string file_;
};

} // namespace srvd::config
