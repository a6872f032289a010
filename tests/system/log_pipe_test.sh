#!/usr/bin/env bash
# Logging never stops the packet path (#25): srvd's stderr is a pipe that
# nobody reads (a wrapper whose reader hung), and every refused transfer
# logs a line. UDP answering must go on, and SIGTERM must still stop srvd.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
# Transfers allowed to an address that is not ours: every AXFR is refused and logged.
printf 'zones: [zones]\nthreads: 1\ntransfer: { allow: [{ address: 192.0.2.1 }] }\n' >"$WORK/srvd.yaml"
PORT=$(free_port)
mkfifo "$WORK/stderr"
sleep 120 <"$WORK/stderr" & # holds the pipe open and never reads it
PIDS+=($!)
"$SRVD" serve -c "$WORK/srvd.yaml" --listen "127.0.0.1:$PORT" --allow-root 2>"$WORK/stderr" &
pid=$!
PIDS+=($pid)
wait_for_dns "$PORT" || fail "srvd did not start"
# 20,000 refused transfers over UDP: a pipe's 64 KiB fill after ~600 lines.
for _ in $(seq 1 20000); do echo "example.com AXFR"; done >"$WORK/axfr.txt"
dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/axfr.txt" -n 1 -c 1 -Q 5000 -t 1 >"$WORK/dnsperf.log" 2>&1 || true
grep -q 'Queries completed: *[1-9]' "$WORK/dnsperf.log" || fail "no AXFR was answered: $(cat "$WORK/dnsperf.log")"
out=$(kdig @127.0.0.1 -p "$PORT" +time=1 +retry=1 +short _sip._udp.proxy-a.example.com SRV)
[ -n "$out" ] || fail "UDP answering stopped with stderr full"
pass "20,000 refused transfers logged into a pipe nobody reads: answering goes on"
start=$(date +%s.%N)
kill -TERM "$pid"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "SIGTERM did not stop srvd within 5 s with stderr stuck"
pass "SIGTERM stops srvd in $(echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.1f') s with stderr stuck"
