#!/usr/bin/env bash
# What else a worker still does while dnsperf saturates its UDP socket:
# srvd (threads: 1) pinned to CPU 0, dnsperf pinned to CPU 1 sending as fast
# as it can. Meanwhile, from CPU 1 as well:
#   * TCP: kdig +tcp queries, one at a time; their round-trip times;
#   * a health change: the media server's TCP listener (health probe
#     tcp-connect, 100 ms interval) is stopped; the time from srvd logging
#     "is down" to the first UDP answer without that server.
#
#   bench/saturation.sh [SRVD_BINARY]     default build/srvd
#   OUTSTANDING=N                          queries dnsperf keeps in flight (4000)
set -euo pipefail
cd "$(dirname "$0")/.."
SRVD=${1:-build/srvd}
OUT=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
PORT=5391 MS_PORT=5392

cat >"$OUT/zone.yaml" <<YAML
zone: sat.example
soa: { primary: ns1.sat.example, contact: h.sat.example, serial: 1 }
nameservers: { ns1: [127.0.0.1] }
ports: { udp: $MS_PORT, tcp: $MS_PORT }
media_servers:
  ms1: { addresses: [127.0.0.1] }
  ms2: { addresses: [127.0.0.2] }
proxies:
  proxy: { targets: [ms1, ms2] }
health: { probe: tcp-connect, interval: 100ms, timeout: 100ms, down_after: 1, up_after: 1 }
YAML
cat >"$OUT/srvd.yaml" <<YAML
listen: ["127.0.0.1:$PORT"]
threads: 1
zones: [zone.yaml]
YAML
# The media servers: TCP listeners the probes connect to.
listener() {
  python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$1', $MS_PORT)); s.listen(128)
while True:
    c, _ = s.accept(); c.close()
" &
  pids+=($!)
}
listener 127.0.0.2
listener 127.0.0.1
ms=$!
taskset -c 0 "$SRVD" serve -c "$OUT/srvd.yaml" --allow-root >"$OUT/srvd.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do kdig @127.0.0.1 -p $PORT +retry=0 +timeout=1 proxy.sat.example A 2>/dev/null | grep -q 127.0.0.1 && break; sleep 0.1; done
grep -q "ms1.*is up\|ms1" "$OUT/srvd.log" || true

printf '_sip._udp.proxy.sat.example SRV\nproxy.sat.example NAPTR\nproxy.sat.example A\n' >"$OUT/q.txt"
taskset -c 1 dnsperf -s 127.0.0.1 -p $PORT -d "$OUT/q.txt" -l 12 -c 16 -q ${OUTSTANDING:-4000} >"$OUT/dnsperf.log" 2>&1 &
perf=$!
pids+=($perf)
sleep 2

# TCP round trips while UDP is saturated.
tcp_ms=()
for i in $(seq 20); do
  t=$(taskset -c 1 kdig @127.0.0.1 -p $PORT +tcp +retry=0 +timeout=5 proxy.sat.example NAPTR 2>&1 |
      sed -n 's/^;; From .* in \([0-9.]*\) ms$/\1/p')
  tcp_ms+=("${t:-timeout}")
  sleep 0.1
done

# UDP round trips beside dnsperf's: the time a query waits in the socket's queue.
udp_ms=()
for i in $(seq 10); do
  t=$(taskset -c 1 kdig @127.0.0.1 -p $PORT +retry=0 +timeout=5 proxy.sat.example NAPTR 2>&1 |
      sed -n 's/^;; From .* in \([0-9.]*\) ms$/\1/p')
  udp_ms+=("${t:-timeout}")
  sleep 0.1
done

# A health change while UDP is saturated.
kill $ms
down_at="" answered_at=""
start=$(date +%s%N)
while [ $(( ($(date +%s%N) - start) / 1000000 )) -lt 5000 ]; do
  now=$(date +%s%N)
  [ -z "$down_at" ] && grep -q "is down" "$OUT/srvd.log" && down_at=$now
  if [ -n "$down_at" ] && ! taskset -c 1 kdig @127.0.0.1 -p $PORT +retry=0 +timeout=1 +short proxy.sat.example A 2>/dev/null | grep -qx 127.0.0.1; then
    answered_at=$(date +%s%N); break
  fi
done
wait $perf || true
qps=$(awk '/Queries per second:/{print $4}' "$OUT/dnsperf.log")
lost=$(awk '/Queries lost:/{print $3, $4}' "$OUT/dnsperf.log")
echo "srvd: $SRVD"
echo "UDP under dnsperf: $qps queries/s, lost $lost"
echo "TCP round trips (ms) while saturated: ${tcp_ms[*]}"
echo "UDP round trips (ms) while saturated: ${udp_ms[*]}"
if [ -n "$down_at" ] && [ -n "$answered_at" ]; then
  echo "health change: answers without ms1 $(( (answered_at - down_at) / 1000000 )) ms after 'is down' was logged"
else
  echo "health change: not seen in answers within 5 s (down logged: ${down_at:+yes})"
fi
