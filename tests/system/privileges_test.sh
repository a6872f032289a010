#!/usr/bin/env bash
# Started as root, srvd binds its sockets and then runs as the configured
# user; without `user:` it refuses to run as root unless told so.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "not root: cannot test switching users (skipped)"; exit 77; }
mkdir -p "$WORK/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
chmod -R a+rX "$WORK"
P=$(free_port)
printf 'listen: ["127.0.0.1:%s"]\nzones: [zones]\n' "$P" >"$WORK/root.yaml"
out=$(timeout 10 "$SRVD" serve -c "$WORK/root.yaml" 2>&1) && fail "ran as root without user: or --allow-root"
echo "$out" | has 'refusing to run as root' || fail "no reason given: $out"
pass "refuses to run as root without user:"

printf 'listen: ["127.0.0.1:%s"]\nzones: [zones]\nuser: nobody\n' "$P" >"$WORK/nobody.yaml"
"$SRVD" serve -c "$WORK/nobody.yaml" >"$WORK/srvd.log" 2>&1 &
pid=$!
SRVD_PIDS+=("$pid")
PORT=$P
wait_for_dns "$PORT" || { cat "$WORK/srvd.log"; fail "did not start as nobody"; }
uid=$(awk '/^Uid:/{print $2, $3, $4, $5}' "/proc/$pid/status")
[ "$uid" = "$(id -u nobody) $(id -u nobody) $(id -u nobody) $(id -u nobody)" ] || fail "uids are $uid"
gid=$(awk '/^Gid:/{print $2, $3, $4, $5}' "/proc/$pid/status")
g=$(id -g nobody)
[ "$gid" = "$g $g $g $g" ] || fail "gids are $gid, not nobody's primary group $g"
[ "$(awk '/^Groups:/{print $2}' "/proc/$pid/status")" = "" ] || fail "supplementary groups kept"
[ "$(awk '/^NoNewPrivs:/{print $2}' "/proc/$pid/status")" = 1 ] || fail "no_new_privs not set after the privilege drop"
q _sip._udp.proxy-a.example.com SRV | grep -q ms1 || fail "not answering after the switch"
kill -HUP "$pid"
wait_log reloaded || fail "reload as nobody failed: $(cat "$WORK/srvd.log")"
pass "binds as root, runs as nobody (uid $(id -u nobody)) with no_new_privs, still answers and reloads"

stop_srvd "$pid" || fail "not stopped cleanly"

# A configuration the user cannot read (a checkout under root's 0700 home):
# serving works, and the log says at once that reloads will not.
mkdir -m 700 "$WORK/private"
printf 'listen: ["127.0.0.1:%s"]\nzones: [../zones]\nuser: nobody\n' "$P" >"$WORK/private/srvd.yaml"
"$SRVD" serve -c "$WORK/private/srvd.yaml" >"$WORK/srvd.log" 2>&1 &
pid=$!
SRVD_PIDS+=("$pid")
wait_for_dns "$PORT" || { cat "$WORK/srvd.log"; fail "did not start from a private directory"; }
grep -q "reloads will fail: user nobody cannot read $WORK/private/srvd.yaml: Permission denied" "$WORK/srvd.log" \
  || fail "no warning about the unreadable configuration: $(cat "$WORK/srvd.log")"
stop_srvd "$pid" || fail "not stopped cleanly"
pass "warns at start when the user cannot read what a reload reads"

printf 'listen: ["127.0.0.1:%s"]\nzones: [zones]\nuser: no-such-user-here\n' "$P" >"$WORK/bad.yaml"
out=$(timeout 10 "$SRVD" serve -c "$WORK/bad.yaml" 2>&1) && fail "ran with an unknown user"
echo "$out" | has 'no such user' || fail "unknown user not reported: $out"
pass "an unknown user is an error"
