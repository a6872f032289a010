#!/usr/bin/env bash
# Out of file descriptors (#25): at an open-file limit of 128, 200 idle TCP
# connections take every descriptor. srvd must not spin on accept (it logged
# ~900,000 lines in 5 s), must keep answering UDP, and must not take media
# servers down because a probe could not open its socket. check says when
# the configuration cannot fit the limit.
source "$(dirname "$0")/lib.sh"
command -v sipp >/dev/null || fail "sipp is not installed (scripts/install-deps.sh installs sip-tester)"
mkdir -p "$WORK/zones"
cat >"$WORK/zones/example.com.yaml" <<'Z'
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [127.0.0.1] }
health: { probe: sip-options, transport: udp, interval: 300ms, timeout: 200ms, down_after: 2, up_after: 2 }
media_servers:
  ms1: { addresses: [192.0.2.51], probe_address: 127.0.0.81 }
proxies:
  p: { targets: [ms1] }
Z
printf 'zones: [zones]\nthreads: 1\nlimits: { tcp_clients: 1024, tcp_clients_per_prefix: 1024 }\n' >"$WORK/srvd.yaml"

out=$(prlimit --nofile=128:128 "$SRVD" check -c "$WORK/srvd.yaml" 2>&1) || fail "check: $out"
echo "$out" | has "^warning: .*limits.tcp_clients (1024) .* need up to [0-9]* open files, but the limit is 128" \
  || fail "check does not say 1024 TCP clients cannot fit 128 files: $out"
out=$("$SRVD" check -c "$WORK/srvd.yaml" 2>&1)
echo "$out" | has "open files" && fail "check warns at the usual limit: $out"
pass "check: tcp_clients 1024 cannot fit an open-file limit of 128, and says so"

sipp -sf "$(dirname "$0")/sipp/options-200.xml" -i 127.0.0.81 -p 5060 -nostdin >"$WORK/sipp.log" 2>&1 &
sipp_pid=$!
PIDS+=($sipp_pid)
wait_udp_listening "$sipp_pid" 127.0.0.81 5060 || fail "SIPp did not start"
start_srvd "$WORK/srvd.yaml"
[ "$(readlink "/proc/$SRVD_PID/exe")" = "$(readlink -f "$SRVD")" ] || fail "SRVD_PID is not srvd"
soft=$(awk '/^Max open files/ {print $4}' "/proc/$SRVD_PID/limits")
hard=$(awk '/^Max open files/ {print $5}' "/proc/$SRVD_PID/limits")
[ "$soft" = "$hard" ] || fail "srvd kept a soft open-file limit of $soft under a hard one of $hard"
pass "serve raises its soft open-file limit to the hard one ($hard)"

sleep 1 # probed: ms1 is up
prlimit --pid "$SRVD_PID" --nofile=128:128
lines_before=$(wc -l <"$WORK/srvd.log")
python3 - "$PORT" <<'PY' &
import socket, sys, time
held = []
for _ in range(200):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", int(sys.argv[1])))
    held.append(s)
time.sleep(5)
PY
holder=$!
PIDS+=($holder)
sleep 1
for i in 1 2 3 4 5 6; do
  out=$(kdig @127.0.0.1 -p "$PORT" +time=1 +retry=1 +short p.example.com A)
  [ "$out" = 192.0.2.51 ] || fail "UDP answer $i with descriptors exhausted: '$out'"
  sleep 0.5
done
wait "$holder"
accepts=$(tail -n +"$lines_before" "$WORK/srvd.log" | grep -c 'tcp: accept' || true)
[ "$accepts" -lt 200 ] || fail "$accepts accept-failure lines in 5 s: the accept loop spins"
# ms1 itself gone (its SIPp ended: probes refused) is not srvd's doing: said apart.
kill -0 "$sipp_pid" 2>/dev/null && [ -n "$(ss -Hlnu 'src 127.0.0.81 and sport = :5060')" ] \
  || fail "ms1's SIPp stopped listening during the test ($(tail -3 "$WORK/sipp.log")): $(grep ms1 "$WORK/srvd.log")"
grep -q 'ms1 .* is down' "$WORK/srvd.log" && fail "ms1 was taken down for srvd's own shortage: $(grep ms1 "$WORK/srvd.log")"
grep -q 'probe not sent: .*(not counted against the server)' "$WORK/srvd.log" \
  || fail "no probe failed to open a socket: the test did not exhaust descriptors ($(tail -5 "$WORK/srvd.log"))"
pass "200 idle connections at 128 files: UDP answered, $accepts accept-failure log lines, probes not sent but ms1 kept up"
for _ in $(seq 1 150); do
  kdig @127.0.0.1 -p "$PORT" +tcp +time=1 +retry=0 +short p.example.com A 2>/dev/null | grep -q 192.0.2.51 && break
  sleep 0.1
done
kdig @127.0.0.1 -p "$PORT" +tcp +time=1 +short p.example.com A | grep -q 192.0.2.51 || fail "TCP does not answer once descriptors are free"
pass "TCP answers again once the connections are gone"
