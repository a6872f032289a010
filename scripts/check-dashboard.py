#!/usr/bin/env python3
"""The dashboard cannot drift from the code: every srvd_* metric that a
PromQL expression in DASHBOARD uses must be one that METRICS (the text of a
running srvd's /metrics) declares. Usage: check-dashboard.py DASHBOARD METRICS.
Prints what is wrong and exits 1."""
import json
import re
import sys


def expressions(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                yield value
            elif key == "query" and isinstance(value, str):
                yield value
            else:
                yield from expressions(value)
    elif isinstance(node, list):
        for item in node:
            yield from expressions(item)


def exported(text):
    names = set()
    for line in text.splitlines():
        m = re.match(r"# TYPE (\S+) (\S+)", line)
        if m:
            names.add(m.group(1))
            if m.group(2) == "histogram":
                names.update(m.group(1) + s for s in ("_bucket", "_sum", "_count"))
        elif line and not line.startswith("#"):
            names.add(re.match(r"[A-Za-z_:][A-Za-z0-9_:]*", line).group(0))
    return names


def main():
    dashboard = json.load(open(sys.argv[1], encoding="utf-8"))
    have = exported(open(sys.argv[2], encoding="utf-8").read())
    exprs = list(expressions(dashboard))
    used = set()
    for e in exprs:
        used.update(re.findall(r"\bsrvd_[a-z0-9_]+", e))
    problems = []
    if len(used) < 10:
        problems.append(f"only {len(used)} metrics found in the dashboard: the scan is broken")
    problems += [f"{sys.argv[1]}: {name} is not exported by srvd" for name in sorted(used - have)]
    for p in dashboard.get("panels", []):
        if not p.get("targets") or not all(t.get("expr") for t in p["targets"]):
            problems.append(f"{sys.argv[1]}: panel '{p.get('title')}' has no query")
    for line in problems:
        print(line)
    if problems:
        return 1
    print(f"dashboard: {len(exprs)} expressions, {len(used)} metrics, all exported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
