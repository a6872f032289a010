#!/usr/bin/env bash
# The README's first command, exactly as written, run as root in a clean copy
# of the tree (what a new user has after cloning): it installs what is
# missing, builds, and serves the example zone on port 5300; then the
# README's first dig line must get the answer the README describes.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "not root: the README's first command is run as root (skipped)"; exit 77; }
git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1 || { echo "not a git checkout (skipped)"; exit 77; }

block=$(awk '/^```sh$/{f=1; next} f && /^```$/{exit} f' "$SRC/README.md")
dig_line=$(awk '/^```/{c=!c; next} c && /^dig /{print; exit}' "$SRC/README.md")
[ -n "$block" ] && [ -n "$dig_line" ] || fail "README: no first sh block or dig line"
echo "first command: $block"
echo "first dig line: $dig_line"

# The tracked files as they are in this work tree (a fresh clone in CI).
chmod 755 "$WORK" # as a checkout under /home or /srv: the user srvd becomes may read it
mkdir "$WORK/srvd"
(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
  tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$WORK/srvd" -xf -
ss -Hlnu 'sport = :5300' | grep -q . && fail "port 5300 is already served here: the README's command cannot run"

(cd "$WORK/srvd" && exec setsid bash -c "$block") >"$WORK/block.log" 2>&1 &
block_pid=$!
PIDS+=("$block_pid")
# Building from nothing takes minutes: wait for the server, not a fixed time.
srvd_pid=
for _ in $(seq 1 1200); do
  kill -0 "$block_pid" 2>/dev/null || { tail -30 "$WORK/block.log"; fail "the first command ended before serving"; }
  srvd_pid=$(ss -Hlnup 'sport = :5300' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)
  [ -n "$srvd_pid" ] && kdig @127.0.0.1 -p 5300 +time=1 +retry=0 example.com SOA >/dev/null 2>&1 && break
  sleep 1
done
[ -n "$srvd_pid" ] || { tail -30 "$WORK/block.log"; fail "nothing served port 5300 after 20 minutes"; }
PIDS+=("$srvd_pid")
[ "$(readlink "/proc/$srvd_pid/cwd")" = "$WORK/srvd" ] || fail "port 5300 is served by another process"
pass "the first command builds and serves (srvd pid $srvd_pid)"
# Serving needs srvd alone: the tests and benches are the second command's.
for t in tests/unit_tests bench/engine_bench; do
  [ ! -e "$WORK/srvd/build/$t" ] || fail "the first command built build/$t as well, which serving does not need"
done
pass "the first command built srvd alone, not the tests and benches"

out=$(bash -c "$dig_line") || fail "$dig_line: $out"
echo "$out" | has 'status: NOERROR' || fail "$dig_line: $out"
echo "$out" | has 'flags: qr aa' || fail "$dig_line: not authoritative: $out"
srv=$(echo "$out" | awk '/^;; ANSWER SECTION/{f=1;next} /^$/{f=0} f && $4=="SRV"{print $5, $8}')
[ "$srv" = $'10 ms3.example.com.\n20 ms2.example.com.\n30 ms1.example.com.' ] ||
  fail "$dig_line: expected ms3, ms2, ms1 as the README says; got: $srv"
pass "the first dig line: proxy-b prefers ms3, then ms2, then ms1"

uid=$(awk '/^Uid:/{print $2}' "/proc/$srvd_pid/status")
[ "$uid" = "$(id -u nobody)" ] || fail "srvd runs as uid $uid, not nobody as conf/srvd.yaml says"
grep -q 'reloads will fail' "$WORK/block.log" && fail "warned about unreadable files: $(cat "$WORK/block.log")"
kill -HUP "$srvd_pid"
for _ in $(seq 1 100); do grep -q 'reloaded' "$WORK/block.log" && break; sleep 0.1; done
grep -q 'reloaded' "$WORK/block.log" || fail "SIGHUP as nobody did not reload: $(tail "$WORK/block.log")"
pass "runs as nobody and reloads"

kill -INT "$srvd_pid" # Ctrl-C
wait "$block_pid" || fail "Ctrl-C: exit status $? ($(tail -3 "$WORK/block.log"))"
pass "Ctrl-C stops it, exit 0"
