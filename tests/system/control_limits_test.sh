#!/usr/bin/env bash
# The control socket and /metrics under abuse (#25): bounded requests, a
# cap on connections, every command logged with its caller, `--zone`
# without a value refused, the socket's group configurable; /metrics
# takes GET only. None of it may cost srvd memory or descriptors.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
MPORT=$(free_port)
group=$(getent group daemon | cut -d: -f1)
[ -n "$group" ] || fail "no group daemon on this host"
printf 'zones: [zones]\nuser: nobody\ncontrol: { socket: %s, group: %s }\nmetrics: { listen: "127.0.0.1:%s" }\n' \
  "$WORK/ctl.sock" "$group" "$MPORT" >"$WORK/srvd.yaml"
chmod 755 "$WORK"
start_srvd "$WORK/srvd.yaml"
ctl() { "$SRVD" ctl -s "$WORK/ctl.sock" "$@"; }
[ "$(stat -c %G "$WORK/ctl.sock")" = "$group" ] || fail "control socket group $(stat -c %G "$WORK/ctl.sock"), not $group"
[ "$(stat -c %a "$WORK/ctl.sock")" = 660 ] || fail "control socket mode $(stat -c %a "$WORK/ctl.sock")"
pass "control: { group: $group } gives the socket (0660) to that group"

fds() { ls "/proc/$SRVD_PID/fd" | wc -l; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SRVD_PID/status"; }
fds_before=$(fds) rss_before=$(rss)
out=$(python3 - "$WORK/ctl.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
sent = 0
try:
    for _ in range(1024):  # 16 MiB without a newline
        sent += s.send(b"x" * 16384)
except OSError:
    pass
s.shutdown(socket.SHUT_WR)
print(sent, s.recv(100).decode().replace("\n", " "))
PY
)
echo "$out" | has ' 2 request too long' || fail "a request without end: $out"
[ $(($(rss) - rss_before)) -lt 8192 ] || fail "RSS grew by $(($(rss) - rss_before)) KiB on a request without end"
pass "a request without a newline is cut at 4 KiB and refused (RSS +$(($(rss) - rss_before)) KiB)"

python3 - "$WORK/ctl.sock" "$MPORT" <<'PY' &
import socket, sys, time
held = []
for _ in range(300):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); held.append(s)
    t = socket.socket(); t.connect(("127.0.0.1", int(sys.argv[2]))); held.append(t)
time.sleep(3)
PY
holder=$!
PIDS+=($holder)
sleep 1.5
during=$(fds)
[ $((during - fds_before)) -le 40 ] || fail "600 idle connections took $((during - fds_before)) descriptors"
wait "$holder"
sleep 0.5
out=$(ctl status) || fail "ctl status after the connection flood: $out"
pass "300 idle control and 300 /metrics connections held $((during - fds_before)) descriptors; ctl answers after"

out=$(ctl drain ms1 --zone 2>&1) && fail "drain --zone without a zone was accepted: $out"
echo "$out" | has 'expected SERVER \[--zone ZONE\]' || fail "drain --zone without a zone: $out"
ctl status | grep -q drained && fail "something was drained by a refused command"
ctl drain ms1 --bogus >/dev/null 2>&1 && fail "drain with an unknown word was accepted"
pass "drain --zone without a value (and unknown words) refused, nothing drained"
grep -q "control: uid 0 pid [0-9]*: drain ms1 --zone" "$WORK/srvd.log" || fail "commands not logged with the caller: $(grep control "$WORK/srvd.log")"
pass "every command logged with the caller's uid and pid"

code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary @<(head -c 1000000 /dev/zero) "http://127.0.0.1:$MPORT/metrics" || true)
[ "$code" = 405 ] || [ "$code" = 000 ] || fail "POST with a 1 MB body: HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:$MPORT/metrics")
[ "$code" = 405 ] || fail "DELETE /metrics: HTTP $code"
curl -sf "http://127.0.0.1:$MPORT/metrics" | has '^srvd_' || fail "GET /metrics after the abuse"
pass "/metrics: other methods 405, a 1 MB body not taken, GET still served"
