#!/usr/bin/env bash
# Every runnable command of the README and of docs/ (their ```sh blocks; a
# ```console block needs what a test cannot do here: a package installed,
# /etc/srvd, phones) is run, in a copy of the tree as a new user has it, with
# the README's server (conf/srvd.yaml) serving; each must exit 0. Every
# whole zone policy (a ```yaml block starting with `zone:`) must pass
# `srvd check`. So none goes stale. The README's first two blocks (install
# and serve, run every test) are readme_test's and CI's.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "not root: conf/srvd.yaml drops privileges (skipped)"; exit 77; }
git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1 || { echo "not a git checkout (skipped)"; exit 77; }
ss -Hlnu 'sport = :5300' | grep -q . && fail "port 5300 is already served here"

chmod 755 "$WORK" # the user srvd becomes must read the tree
mkdir "$WORK/srvd"
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
  tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$WORK/srvd" -xf -
mkdir -p "$WORK/srvd/build" && ln -s "$SRVD" "$WORK/srvd/build/srvd"
cd "$WORK/srvd"
./build/srvd serve -c conf/srvd.yaml >"$WORK/srvd.log" 2>&1 &
SRVD_PIDS+=("$!")
PORT=5300
wait_for_dns 5300 || fail "conf/srvd.yaml does not serve: $(cat "$WORK/srvd.log")"

# FILE: its blocks of one kind, each as "LINE<TAB>text" with \x1f for newlines.
blocks() { # FILE KIND
  # A block inside a list item is indented as its fence is: that much is
  # taken off each line, no more (YAML nests by indentation).
  awk -v kind="$2" '
    /^ *```/ { if (!inside) { inside = 1; take = ($0 ~ "^ *```" kind "$"); start = NR; text = "";
                              match($0, /^ */); indent = RLENGTH; next }
               inside = 0; if (take) printf "%d\t%s\n", start, text; next }
    inside && take { text = text substr($0, indent + 1) "\x1f" }' "$1"
}
ran=0 checked=0
for file in README.md docs/*.md; do
  while IFS=$'\t' read -r line text; do
    # The README's first two blocks: the install-build-serve and test commands.
    [ "$file" = README.md ] && [ "$line" -lt 20 ] && continue
    script=$(tr '\037' '\n' <<<"$text")
    out=$(timeout 60 bash -e -o pipefail -c "$script" 2>&1) ||
      fail "$file:$line: the block failed: $out"$'\n'"block: $script"
    ran=$((ran + 1))
  done < <(blocks "$file" sh)
  while IFS=$'\t' read -r line text; do
    policy=$(tr '\037' '\n' <<<"$text")
    [[ "$policy" == zone:* ]] || continue
    dir="$WORK/policy-$checked"
    mkdir -p "$dir"
    printf '%s\n' "$policy" >"$dir/zone.yaml"
    printf 'zones: [zone.yaml]\ngeoip: { database: %s/zones/geo/demo-city.mmdb }\n' "$PWD" >"$dir/srvd.yaml"
    out=$(./build/srvd check -c "$dir/srvd.yaml" 2>&1) || fail "$file:$line: the policy does not pass check: $out"
    checked=$((checked + 1))
  done < <(blocks "$file" yaml)
done
# Every sh fence was run (the two of readme_test aside): none slipped past.
fences=$(cat README.md docs/*.md | grep -c '^ *```sh$')
[ "$ran" -eq $((fences - 2)) ] || fail "ran $ran sh blocks of $((fences - 2)): the extraction is broken"
[ "$checked" -ge 2 ] || fail "only $checked zone policies found: the extraction is broken"
pass "$ran shell blocks of README.md and docs/ ran; $checked zone policies pass srvd check"
