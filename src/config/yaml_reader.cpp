#include "config/yaml_reader.hpp"

#include "util/stable_hash.hpp"

#include <charconv>
#include <fstream>

namespace srvd {

std::string read_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw LoadError({path, 0, 0}, "cannot open file");
    // yaml-cpp holds a whole document as a node tree many times its size: a
    // runaway file must be an error, not an out-of-memory kill.
    const auto size = static_cast<std::uint64_t>(in.tellg());
    if (size > YamlReader::max_file_bytes)
        throw LoadError({path, 0, 0},
                        "file is " + std::to_string(size >> 20) + " MiB; the limit is " +
                            std::to_string(YamlReader::max_file_bytes >> 20) + " MiB");
    in.seekg(0);
    std::string text(size, '\0');
    if (!in.read(text.data(), static_cast<std::streamsize>(size)))
        throw LoadError({path, 0, 0}, "cannot read file");
    return text;
}

YAML::Node YamlReader::load(std::uint64_t* digest) const {
    const std::string text = read_config_file(file_);
    if (digest) *digest = stable_hash(text);
    try {
        return YAML::Load(text);
    } catch (const YAML::Exception& e) {
        throw LoadError({file_, e.mark.line + 1, e.mark.column + 1}, e.msg);
    }
}

SourceMark YamlReader::mark(const YAML::Node& node) const {
    YAML::Mark m = node.Mark();
    if (m.is_null()) return {file_, 0, 0};
    return {file_, m.line + 1, m.column + 1};
}

void YamlReader::fail(const YAML::Node& at, const std::string& message) const {
    throw LoadError(mark(at), message);
}

void YamlReader::expect_map(const YAML::Node& node, std::string_view what) const {
    if (!node.IsMap()) fail(node, std::string(what) + ": expected a mapping");
}

void YamlReader::expect_seq(const YAML::Node& node, std::string_view what) const {
    if (!node.IsSequence()) fail(node, std::string(what) + ": expected a list");
}

void YamlReader::check_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                            std::string_view where) const {
    for (const auto& item : map) {
        const std::string key = item.first.Scalar();
        bool known = false;
        for (auto a : allowed) known = known || key == a;
        if (!known) {
            std::string expected;
            for (auto a : allowed) expected += (expected.empty() ? "" : ", ") + std::string(a);
            fail(item.first, "unknown key '" + key + "' in " + std::string(where) +
                                 " (expected one of: " + expected + ")");
        }
    }
}

void YamlReader::require(const YAML::Node& map, std::string_view key,
                         std::string_view where) const {
    if (!map[std::string(key)])
        fail(map, std::string(where) + ": missing '" + std::string(key) + "'");
}

std::string YamlReader::string(const YAML::Node& node, std::string_view what) const {
    if (!node.IsScalar()) fail(node, std::string(what) + ": expected a string");
    return node.Scalar();
}

std::int64_t YamlReader::integer(const YAML::Node& node, std::int64_t min, std::int64_t max,
                                 std::string_view what) const {
    const std::string text = node.IsScalar() ? node.Scalar() : std::string();
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (!node.IsScalar() || ec != std::errc() || end != text.data() + text.size())
        fail(node, std::string(what) + ": expected an integer");
    if (value < min || value > max)
        fail(node, std::string(what) + ": " + text + " is outside " + std::to_string(min) + ".." +
                       std::to_string(max));
    return value;
}

double YamlReader::number(const YAML::Node& node, std::string_view what) const {
    try {
        if (node.IsScalar()) return node.as<double>();
    } catch (const YAML::Exception&) {
    }
    fail(node, std::string(what) + ": expected a number");
}

bool YamlReader::boolean(const YAML::Node& node, std::string_view what) const {
    try {
        if (node.IsScalar()) return node.as<bool>();
    } catch (const YAML::Exception&) {
    }
    fail(node, std::string(what) + ": expected true or false");
}

} // namespace srvd
