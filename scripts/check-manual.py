#!/usr/bin/env python3
"""The manual cannot fall behind the code: every key a loader accepts (each
check_keys() list in src/config/) must appear in bold in man/srvd.yaml.5, and
every command srvd knows (src/cli/commands.cpp) in man/srvd.8; and the
YAML the manual shows (a `.B key: value` line, the EXAMPLE block) must be
valid YAML, as rendered. Prints what is missing and exits 1. Run by ctest
("manual")."""
import os
import re
import sys

import yaml

root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def accepted_keys():
    keys = set()
    config = os.path.join(root, "src", "config")
    for name in sorted(os.listdir(config)):
        if name.endswith(".cpp"):
            text = open(os.path.join(config, name), encoding="utf-8").read()
            for m in re.finditer(r'check_keys\(\s*[^,]+,\s*\{([^}]*)\}', text, re.S):
                keys.update(re.findall(r'"([^"]+)"', m.group(1)))
    return keys


def bold_words(path):
    # Words set in bold: .B/.BR/.BI lines (every other argument of .BR is
    # bold, but counting them all only makes the check kinder to layout) and
    # \fB...\fR runs.
    words = set()
    for line in open(path, encoding="utf-8"):
        if re.match(r'\.(B|BR|BI)\s', line):
            words.update(re.findall(r'[A-Za-z_][A-Za-z0-9_\\-]*', line[3:].replace("\\-", "-")))
        for run in re.findall(r'\\fB(.*?)\\f[RP]', line):
            words.update(re.findall(r'[A-Za-z_][A-Za-z0-9_\\-]*', run.replace("\\-", "-")))
    return words


def commands():
    text = open(os.path.join(root, "src", "cli", "commands.cpp"), encoding="utf-8").read()
    return set(re.findall(r'args\[0\] == "([a-z]+)"', text)) - {"help"}


def unescape(roff):
    return roff.replace("\\(dq", '"').replace("\\-", "-").replace("\\e", "\\")


def yaml_examples(path):
    """(where, text) of each YAML example: `.B key: ...` lines and .nf/.fi
    blocks after .SH EXAMPLE."""
    lines = open(path, encoding="utf-8").read().split("\n")
    out = []
    for i, line in enumerate(lines):
        m = re.match(r'\.B ([a-z_]+: .*)$', line)
        if m:
            out.append((f"{path}:{i + 1}", unescape(m.group(1))))
        if line == ".SH EXAMPLE" and lines[i + 1] == ".nf":
            end = lines.index(".fi", i)
            out.append((f"{path}:{i + 3}", unescape("\n".join(lines[i + 2:end]))))
    return out


def main():
    missing = []
    examples = yaml_examples(os.path.join(root, "man", "srvd.yaml.5"))
    if len(examples) < 2:
        print(f"only {len(examples)} YAML examples found in man/srvd.yaml.5: the scan is broken")
        return 1
    for where, text in examples:
        try:
            yaml.safe_load(text)
        except yaml.YAMLError as e:
            missing.append(f"{where}: this example is not valid YAML ({e}): {text}")
    keys = accepted_keys()
    if len(keys) < 50:  # the scan itself must have found the loaders' lists
        print(f"only {len(keys)} keys found in src/config: the scan is broken")
        return 1
    words = bold_words(os.path.join(root, "man", "srvd.yaml.5"))
    missing += [f"man/srvd.yaml.5: key '{k}' is accepted by the loaders but not documented"
                for k in sorted(keys - words)]
    found = commands()
    if len(found) < 4:
        print(f"only {sorted(found)} commands found in src/cli/commands.cpp: the scan is broken")
        return 1
    words8 = bold_words(os.path.join(root, "man", "srvd.8"))
    missing += [f"man/srvd.8: command '{c}' is not documented" for c in sorted(found - words8)]
    for line in missing:
        print(line)
    if missing:
        return 1
    print(f"manual: {len(keys)} configuration keys and {len(found)} commands documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
