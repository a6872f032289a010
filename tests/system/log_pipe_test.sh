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
# 5,000 queries signed with a TSIG key srvd does not know, over UDP: each is
# refused (BADKEY) and logged, and a pipe's 64 KiB fill after ~600 lines.
python3 - "$PORT" <<'PY'
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
name = lambda n: b"".join(bytes([len(l)]) + l.encode() for l in n.split(".") if l) + b"\0"
for i in range(5000):
    q = struct.pack("!HHHHHH", i & 0xffff, 0, 1, 0, 0, 1) + name("example.com") + struct.pack("!HH", 6, 1)
    rdata = name("hmac-sha256") + struct.pack("!HIH", 0, int(time.time()), 300) + struct.pack("!H", 32) + b"\0" * 32 \
        + struct.pack("!HHH", i & 0xffff, 0, 0)
    q += name("nosuchkey") + struct.pack("!HHIH", 250, 255, 0, len(rdata)) + rdata
    s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
    if i % 500 == 0:
        time.sleep(0.01)
PY
sleep 0.5
out=$(kdig @127.0.0.1 -p "$PORT" +time=1 +retry=1 +short _sip._udp.proxy-a.example.com SRV)
[ -n "$out" ] || fail "UDP answering stopped with stderr full"
pass "5,000 refused TSIG queries logged into a pipe nobody reads: answering goes on"
start=$(date +%s.%N)
kill -TERM "$pid"
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "SIGTERM did not stop srvd within 5 s with stderr stuck"
pass "SIGTERM stops srvd in $(echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.1f') s with stderr stuck"
