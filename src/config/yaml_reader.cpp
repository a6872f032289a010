#include "config/yaml_reader.hpp"

#include "util/stable_hash.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

namespace srvd::config {

std::string read_config_file(const std::string& path) {
    // What an operator can act on: the system's own reason, not a stream's
    // failure (and not a directory's size read as a file's).
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw LoadError({path, 0, 0}, "is a directory, not a file");
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw LoadError({path, 0, 0}, std::string("cannot open: ") + std::strerror(errno));
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
        throw LoadError({path, 0, 0}, std::string("cannot read: ") + std::strerror(errno));
    return text;
}

namespace {

// yaml-cpp reports a tab in indentation as "illegal map value" or "end of map
// not found" somewhere after it; say what it is, where it is.
void refuse_tab_indentation(const std::string& file, const std::string& text) {
    std::size_t line = 1;
    for (std::size_t at = 0; at < text.size(); ++line) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        for (std::size_t i = at; i < end && (text[i] == ' ' || text[i] == '\t'); ++i)
            if (text[i] == '\t')
                throw LoadError({file, static_cast<int>(line), static_cast<int>(i - at + 1)},
                                "tab characters are not allowed in YAML indentation; use spaces");
        at = end + 1;
    }
}

// yaml-cpp says "end of sequence flow not found" where it gave up (often the
// next line); point at the bracket that was never closed instead. Quotes
// and comments are skipped; a flow collection may span lines.
void explain_unclosed_flow(const std::string& file, const std::string& text,
                           const YAML::Exception& e) {
    if (e.msg.find("flow not found") == std::string::npos) return;
    struct Open {
        char bracket;
        int line, column;
    };
    std::vector<Open> open;
    int line = 1, column = 0;
    char quote = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        ++column;
        if (c == '\n') {
            ++line;
            column = 0;
            continue;
        }
        if (quote) {
            if (c == quote) quote = 0;
            continue;
        }
        if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '#') {
            i = std::min(text.find('\n', i), text.size()) - 1;
        } else if (c == '[' || c == '{') {
            open.push_back({c, line, column});
        } else if ((c == ']' || c == '}') && !open.empty()) {
            open.pop_back();
        }
    }
    if (open.empty()) return;
    const Open& o = open.back();
    const bool list = o.bracket == '[';
    throw LoadError({file, o.line, o.column},
                    std::string("this '") + o.bracket + "' is never closed: a flow " +
                        (list ? "list" : "map") + " needs its '" + (list ? ']' : '}') +
                        "' (and commas between its items)");
}

// yaml-cpp keeps both entries of a key written twice and answers the first:
// the second (often the operator's latest edit) would be silently ignored.
void refuse_duplicate_keys(const std::string& file, const YAML::Node& node) {
    if (node.IsSequence()) {
        for (const auto& item : node) refuse_duplicate_keys(file, item);
        return;
    }
    if (!node.IsMap()) return;
    std::map<std::string, YAML::Mark> seen;
    for (const auto& entry : node) {
        if (entry.first.IsScalar()) {
            const std::string key = entry.first.Scalar();
            if (auto [it, fresh] = seen.emplace(key, entry.first.Mark()); !fresh)
                throw LoadError({file, entry.first.Mark().line + 1, entry.first.Mark().column + 1},
                                "duplicate key '" + key + "' (first at line " +
                                    std::to_string(it->second.line + 1) + "); remove one");
        }
        refuse_duplicate_keys(file, entry.second);
    }
}

} // namespace

YAML::Node YamlReader::load(std::uint64_t* digest) const {
    const std::string text = read_config_file(file_);
    if (digest) *digest = stable_hash(text);
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw LoadError({file_, 0, 0}, "the file is empty");
    refuse_tab_indentation(file_, text);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        explain_unclosed_flow(file_, text, e);
        throw LoadError({file_, e.mark.line + 1, e.mark.column + 1}, e.msg);
    }
    refuse_duplicate_keys(file_, root);
    return root;
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

} // namespace srvd::config
