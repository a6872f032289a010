#!/usr/bin/env bash
# Readiness as systemd sees it (Type=notify): srvd sends READY=1 with a
# STATUS once its zones are compiled and its sockets answer, RELOADING=1 and
# READY=1 around a reload (a failed one says so in STATUS), STOPPING=1 on
# SIGTERM, all to $NOTIFY_SOCKET, here a datagram socket this test reads.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
printf 'zones: [zones]\nstate_dir: state\ncontrol: { socket: %s }\n' "$WORK/ctl.sock" >"$WORK/srvd.yaml"
PORT=$(free_port)
# The listener records each datagram on a line (newlines as '|'), and
# whether the DNS port answered when READY=1 came.
python3 - "$WORK/notify.sock" "$PORT" >"$WORK/notify.log" 2>&1 <<'PY' &
import os, socket, subprocess, sys
path, port = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(60)
while True:
    message = s.recv(4096).decode().replace("\n", "|")
    line = message
    if message.startswith("READY=1"):
        ok = subprocess.run(["kdig", "@127.0.0.1", "-p", port, "+time=1", "+retry=0", "+short",
                             "example.com", "SOA"], capture_output=True, text=True).stdout.strip()
        line += " [dns " + ("answers" if ok else "silent") + "]"
    print(line, flush=True)
    if message.startswith("STOPPING=1"):
        break
PY
PIDS+=($!)
for _ in $(seq 50); do [ -S "$WORK/notify.sock" ] && break; sleep 0.1; done
NOTIFY_SOCKET="$WORK/notify.sock" "$SRVD" serve -c "$WORK/srvd.yaml" --allow-root --listen "127.0.0.1:$PORT" \
  >"$WORK/srvd.log" 2>&1 &
SRVD_PID=$!
SRVD_PIDS+=("$SRVD_PID")
wait_notify() { # PATTERN [COUNT]
  for _ in $(seq 100); do [ "$(grep -c "$1" "$WORK/notify.log")" -ge "${2:-1}" ] && return 0; sleep 0.1; done
  return 1
}
wait_notify '^READY=1' || fail "no READY=1: $(cat "$WORK/notify.log")"
head -1 "$WORK/notify.log" | has '^READY=1|STATUS=serving 1 zone(s), [0-9]* names, .* \[dns answers\]$' \
  || fail "the first message: $(cat "$WORK/notify.log")"
pass "READY=1 once the zones are compiled and the port answers, with a STATUS"

"$SRVD" ctl -s "$WORK/ctl.sock" reload >/dev/null || fail "reload"
wait_notify '^READY=1' 2 || fail "no READY=1 after the reload: $(cat "$WORK/notify.log")"
sed -n 2,3p "$WORK/notify.log" | paste -sd' ' | has '^RELOADING=1|MONOTONIC_USEC=[0-9]* READY=1|STATUS=serving 1 zone' \
  || fail "around the reload: $(cat "$WORK/notify.log")"
printf 'broken: [\n' >>"$WORK/zones/example.com.yaml"
"$SRVD" ctl -s "$WORK/ctl.sock" reload >/dev/null 2>&1 && fail "a broken reload succeeded"
wait_notify '^READY=1' 3 || fail "no READY=1 after the failed reload: $(cat "$WORK/notify.log")"
sed -n 5p "$WORK/notify.log" | has '^READY=1|STATUS=serving the previous configuration; the reload failed: .*example.com.yaml:[0-9]*:[0-9]*: ' \
  || fail "after the failed reload: $(cat "$WORK/notify.log")"
pass "RELOADING=1 then READY=1 around a reload; a failed one is reported in STATUS"

stop_srvd "$SRVD_PID" # SIGTERM, and a clean exit (a sanitizer build reports at exit)
wait_notify '^STOPPING=1' || fail "no STOPPING=1: $(cat "$WORK/notify.log")"
pass "STOPPING=1 on SIGTERM"
