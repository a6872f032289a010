#include "config/yaml_reader.hpp"

#include "util/stable_hash.hpp"

#include <optional>
#include <utility>
#include <vector>

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

// The flow brackets of a text, for yaml-cpp's errors about them, which it
// reports where it gave up rather than where the bracket is. Quotes and
// comments are skipped; a flow collection may span lines.
struct Bracket {
    char bracket;
    int line, column;
};
struct FlowScan {
    std::vector<Bracket> open;                        // never closed, innermost last
    std::optional<std::pair<Bracket, Bracket>> wrong; // the first closed by the other kind
};

FlowScan scan_flows(const std::string& text) {
    FlowScan scan;
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
            scan.open.push_back({c, line, column});
        } else if ((c == ']' || c == '}') && !scan.open.empty()) {
            const Bracket top = scan.open.back();
            if ((top.bracket == '[') != (c == ']') && !scan.wrong)
                scan.wrong = std::pair{top, Bracket{c, line, column}};
            scan.open.pop_back();
        }
    }
    return scan;
}

const char* flow_kind(char bracket) {
    return bracket == '[' ? "list" : "map";
}
char closer_of(char bracket) {
    return bracket == '[' ? ']' : '}';
}

// "end of sequence flow not found" (a bracket never closed) and "illegal
// flow end" (closed by the other kind): named at the opening bracket, with
// the fix.
void explain_flow(const std::string& file, const std::string& text, const YAML::Exception& e) {
    const bool unclosed = e.msg.find("flow not found") != std::string::npos;
    const bool mismatched = e.msg.find("illegal flow end") != std::string::npos;
    if (!unclosed && !mismatched) return;
    const FlowScan scan = scan_flows(text);
    if (mismatched && scan.wrong) {
        const auto& [o, c] = *scan.wrong;
        throw LoadError({file, o.line, o.column},
                        std::string("this '") + o.bracket + "' is closed by '" + c.bracket +
                            "' at line " + std::to_string(c.line) + ", column " +
                            std::to_string(c.column) + ": a flow " + flow_kind(o.bracket) +
                            " ends with '" + closer_of(o.bracket) + "'");
    }
    if (scan.open.empty()) return;
    const Bracket& o = scan.open.back();
    throw LoadError({file, o.line, o.column},
                    std::string("this '") + o.bracket + "' is never closed: a flow " +
                        flow_kind(o.bracket) + " needs its '" + closer_of(o.bracket) +
                        "' (and commas between its items)");
}

// "end of map not found" or "illegal map value" (a deeper line read as the
// rest of the value before it) at a line indented unlike the entry before
// it: YAML nests by indentation, so say that, with both indentations.
void explain_indentation(const std::string& file, const std::string& text,
                         const YAML::Exception& e) {
    const bool end_of_map = e.msg.find("end of map not found") != std::string::npos;
    if ((!end_of_map && e.msg.find("illegal map value") == std::string::npos) || e.mark.line < 1)
        return;
    std::vector<std::string> lines;
    for (std::size_t at = 0; at <= text.size();) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        lines.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    auto indent = [](const std::string& l) { return l.find_first_not_of(' '); };
    const auto here = static_cast<std::size_t>(e.mark.line);
    if (here >= lines.size()) return;
    for (std::size_t before = here; before-- > 0;) {
        const std::string& l = lines[before];
        const auto i = indent(l);
        if (i == std::string::npos || l[i] == '#') continue; // blank or comment
        const auto mine = indent(lines[here]);
        if (mine == std::string::npos || mine == i) return;
        // Deeper under "key:" is how a map nests: not this mistake.
        const auto last = l.find_last_not_of(" \r");
        if (!end_of_map && (mine < i || l[last] == ':')) return;
        throw LoadError({file, e.mark.line + 1, static_cast<int>(mine) + 1},
                        "this line is indented " + std::to_string(mine) + " space(s), line " +
                            std::to_string(before + 1) + " before it " + std::to_string(i) +
                            ": entries of one map line up (YAML nests by indentation); indent "
                            "it as its siblings, or under a key that ends with ':'");
    }
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
        explain_flow(file_, text, e);
        explain_indentation(file_, text, e);
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
