#!/usr/bin/env bash
# Started as root, srvd binds its sockets and then runs as the configured
# user; without `user:` it refuses to run as root unless told so.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "ok: not root, nothing to test (skipped)"; exit 0; }
mkdir -p "$WORK/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
chmod -R a+rX "$WORK"
P=$(free_port)
printf 'listen: ["127.0.0.1:%s"]\nzones: [zones]\n' "$P" >"$WORK/root.yaml"
out=$("$SRVD" serve -c "$WORK/root.yaml" 2>&1) && fail "ran as root without user: or --allow-root"
echo "$out" | grep -q 'refusing to run as root' || fail "no reason given: $out"
pass "refuses to run as root without user:"

printf 'listen: ["127.0.0.1:%s"]\nzones: [zones]\nuser: nobody\n' "$P" >"$WORK/nobody.yaml"
"$SRVD" serve -c "$WORK/nobody.yaml" >"$WORK/srvd.log" 2>&1 &
pid=$!
PIDS+=("$pid")
PORT=$P
wait_for_dns "$PORT" || { cat "$WORK/srvd.log"; fail "did not start as nobody"; }
uid=$(awk '/^Uid:/{print $2, $3, $4, $5}' "/proc/$pid/status")
[ "$uid" = "$(id -u nobody) $(id -u nobody) $(id -u nobody) $(id -u nobody)" ] || fail "uids are $uid"
[ "$(awk '/^Groups:/{print $2}' "/proc/$pid/status")" = "" ] || fail "supplementary groups kept"
q _sip._udp.proxy-a.example.com SRV | grep -q ms1 || fail "not answering after the switch"
kill -HUP "$pid"
wait_log reloaded || fail "reload as nobody failed: $(cat "$WORK/srvd.log")"
pass "binds as root, runs as nobody (uid $(id -u nobody)), still answers and reloads"

printf 'listen: ["127.0.0.1:%s"]\nzones: [zones]\nuser: no-such-user-here\n' "$P" >"$WORK/bad.yaml"
kill "$pid"; wait "$pid" 2>/dev/null || true
out=$("$SRVD" serve -c "$WORK/bad.yaml" 2>&1) && fail "ran with an unknown user"
echo "$out" | grep -q 'no such user' || fail "unknown user not reported: $out"
pass "an unknown user is an error"
