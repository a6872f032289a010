#!/usr/bin/env python3
"""The shape of src/, checked: its folders include only folders below them
in ORDER (so no #include cycle) and no function is longer than MAX_LINES
lines. Run by ctest ("layers"); prints what it
finds and exits 1 on any finding.

The function scan is a brace matcher over clang-formatted code, not a C++
parser: comments, strings and character literals are blanked first, and a
brace opens a function body when it follows a ')' (or 'noexcept', 'const',
'override', a trailing return type) outside any other function body."""
import os
import re
import sys

MAX_LINES = 80
# The packet path's headers: what they include, all the way down, must be
# project or standard headers (no ldns, Asio, yaml-cpp or libmaxminddb), so
# the engine is a pure function over the answer table, as STYLE.md asks.
PACKET_PATH = ["engine/answer_engine.hpp", "engine/client_view.hpp", "engine/query_parser.hpp"]
LIBRARY_HEADER = re.compile(r'\s*#\s*include\s+<(ldns/|boost/|yaml-cpp/|maxminddb)')
# The folders of src/ from the bottom up (docs/development.md's layout): each may
# include only folders before it. A strict order implies no cycle, and says
# where a new file belongs.
ORDER = ["util", "dns", "config", "dnssec", "geo", "health", "zone", "engine", "explain", "metrics", "xfr",
         "query", "net", "flush", "server", "cli"]
# Folder pairs that must never meet even where the order allows it: net/
# only moves bytes and schedules (transfers are the query pipeline's), and
# metrics/ counts without knowing how transfers are made.
NEVER = [("net", "xfr"), ("metrics", "xfr")]
# Folders whose own files include no library header at all: the engine is
# a pure function over the answer table (explain/, above it, reads GeoIP
# and decodes with ldns).
NO_LIBRARY = ["engine"]
# The `srvd ctl` client compiles none of the server: of server/, only the
# client's side of the control socket and the reply type.
CTL_CLIENT = ("cli/ctl_command.cpp", ["server/control_client.hpp", "server/reply.hpp"])


def folder_of(path, src):
    rel = os.path.relpath(path, src)
    return rel.split(os.sep)[0] if os.sep in rel else None


def include_graph(src):
    graph = {}
    for root, _, files in os.walk(src):
        for f in files:
            path = os.path.join(root, f)
            here = folder_of(path, src)
            if here is None:
                continue
            with open(path, encoding="utf-8") as text:
                for line in text:
                    m = re.match(r'\s*#\s*include\s+"([a-z_]+)/', line)
                    if m and m.group(1) != here:
                        graph.setdefault(here, {}).setdefault(m.group(1), path)
    return graph


def find_cycle(graph):
    state, stack = {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def order_violations(graph, order):
    found = []
    for here in sorted(graph):
        if here not in order:
            found.append(f"src/{here}: a folder missing from the layer order in {__file__}")
            continue
        for there, path in sorted(graph[here].items()):
            if there not in order or order.index(there) >= order.index(here):
                found.append(f"{path}: {here}/ includes {there}/, which is not below it")
    return found


def rule_violations(src, never=None, no_library=None, ctl_client=None):
    never = NEVER if never is None else never
    no_library = NO_LIBRARY if no_library is None else no_library
    found = []
    for root, _, files in os.walk(src):
        for f in sorted(files):
            path = os.path.join(root, f)
            here = folder_of(path, src)
            with open(path, encoding="utf-8") as text:
                for line in text:
                    m = re.match(r'\s*#\s*include\s+"([a-z_]+)/', line)
                    if m and (here, m.group(1)) in never:
                        found.append(f"{path}: {here}/ must never include {m.group(1)}/: {line.strip()}")
                    if here in no_library and LIBRARY_HEADER.match(line):
                        found.append(f"{path}: {here}/ includes no library header: {line.strip()}")
    client, allowed = CTL_CLIENT if ctl_client is None else ctl_client
    path = os.path.join(src, client)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as text:
            for line in text:
                m = re.match(r'\s*#\s*include\s+"(([a-z_]+)/[^"]+)"', line)
                if m and m.group(2) == allowed[0].split("/")[0] and m.group(1) not in allowed:
                    found.append(f"{path}: the ctl client includes server code: {line.strip()}")
    return found


def library_includes(src, header, seen=None):
    # (header, library include) pairs reachable from `header`.
    seen = set() if seen is None else seen
    if header in seen:
        return []
    seen.add(header)
    found = []
    path = os.path.join(src, header)
    if not os.path.exists(path):
        return [(header, "missing")]
    with open(path, encoding="utf-8") as text:
        for line in text:
            if LIBRARY_HEADER.match(line):
                found.append((header, line.strip()))
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if m:
                found += library_includes(src, m.group(1), seen)
    return found


def blank_literals(text):
    # Comments, strings and char literals become spaces (newlines kept), so
    # braces inside them do not count.
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|R"([^(]*)\(.*?\)\1"|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                         re.S)
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


FUNCTION_TAIL = re.compile(r'(\)|\bnoexcept|\bconst|\boverride|\bmutable|->\s*[\w:<>,\s*&]+)\s*$')


def long_functions(path):
    with open(path, encoding="utf-8") as f:
        text = blank_literals(f.read())
    found = []
    stack = []  # per open brace: (is_function, line)
    last = 0
    line = 1
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c == "{":
            before = text[last:i]
            inside_function = any(kind for kind, _ in stack)
            is_function = not inside_function and bool(FUNCTION_TAIL.search(before))
            stack.append((is_function, line))
            last = i + 1
        elif c == "}":
            if stack:
                is_function, start = stack.pop()
                if is_function and line - start - 1 > MAX_LINES:
                    found.append((start, line - start - 1))
            last = i + 1
        elif c == ";":
            last = i + 1
    return found


def self_test():
    # The checker must fail on what it looks for: a planted cycle and a long
    # function (with a lambda and a brace in a string inside) in a probe tree.
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        for folder, body in (("a", '#include "b/x.hpp"\n'), ("b", '#include "a/x.hpp"\n')):
            os.makedirs(os.path.join(d, folder))
            with open(os.path.join(d, folder, "x.hpp"), "w") as f:
                f.write(body)
        with open(os.path.join(d, "a", "long.cpp"), "w") as f:
            f.write("namespace n {\nint f(int x) noexcept {\n    auto g = [] { return \"{\"; };\n"
                    + "    ++x;\n" * (MAX_LINES - 1) + "    return x;\n}\nint h() {\n    return 1;\n}\n}\n")
        if find_cycle(include_graph(d)) != ["a", "b", "a"]:
            print("self-test: the planted include cycle was not found")
            return 1
        if len(order_violations(include_graph(d), ["a", "b"])) != 1:
            print("self-test: the planted upward include was not found")
            return 1
        with open(os.path.join(d, "b", "x.hpp"), "a") as f:
            f.write("#include <boost/asio/ip/udp.hpp>\n")
        if library_includes(d, "a/x.hpp") != [("b/x.hpp", "#include <boost/asio/ip/udp.hpp>")]:
            print("self-test: the planted library include two headers down was not found")
            return 1
        # The never-meet rules, the library-free folder and the ctl client's
        # includes, each planted once.
        with open(os.path.join(d, "a", "rules.cpp"), "w") as f:
            f.write('#include "b/x.hpp"\n#include <ldns/ldns.h>\n#include "b/other.hpp"\n')
        planted = rule_violations(d, [("a", "b")], ["a"], ("a/rules.cpp", ["b/x.hpp"]))
        if len(planted) != 5:  # a -> b three times, ldns, b/other.hpp in the client
            print(f"self-test: expected 5 rule violations, found {planted}")
            return 1
        found = long_functions(os.path.join(d, "a", "long.cpp"))
        if found != [(2, MAX_LINES + 1)]:
            print(f"self-test: expected one function of {MAX_LINES + 1} lines at line 2, found {found}")
            return 1
    return 0


def main():
    if self_test():
        return 1
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "src")
    src = os.path.normpath(src)
    problems = 0
    cycle = find_cycle(include_graph(src))
    if cycle:
        graph = include_graph(src)
        print("include cycle between folders: " + " -> ".join(cycle))
        for a, b in zip(cycle, cycle[1:]):
            print(f"  {a} -> {b}: {graph[a][b]}")
        problems += 1
    for violation in order_violations(include_graph(src), ORDER):
        print(violation)
        problems += 1
    for violation in rule_violations(src):
        print(violation)
        problems += 1
    for header in PACKET_PATH:
        for where, include in library_includes(src, header):
            print(f"src/{header} reaches a library header through src/{where}: {include}")
            problems += 1
    for root, _, files in os.walk(src):
        for f in sorted(files):
            if f.endswith((".cpp", ".hpp")):
                path = os.path.join(root, f)
                for start, length in long_functions(path):
                    print(f"{os.path.relpath(path, os.path.dirname(src))}:{start}: function of {length} lines (limit {MAX_LINES})")
                    problems += 1
    if problems:
        print(f"{problems} problem(s)")
        return 1
    print("layers: " + " < ".join(ORDER) + "; never " + ", ".join(f"{a} -> {b}" for a, b in NEVER)
          + "; no library header in " + ", ".join(NO_LIBRARY) + "/; the ctl client includes only "
          + ", ".join(CTL_CLIENT[1]) + " of server/; no function over " + str(MAX_LINES) + " lines; "
          + ", ".join(PACKET_PATH) + ": standard headers only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
