#!/usr/bin/env bash
# What SIP OPTIONS probes over TLS with a CA file cost the control thread
# (where probes, `srvd ctl` and /metrics run): N media servers probed over
# TLS every second, `health.tls_ca_file` the system bundle (~140
# certificates). Nothing listens on their port, so each probe costs what srvd
# does before it connects: the TLS context (once per CA file since session
# 17; per probe before). Reports srvd's CPU time per second of wall time over
# DURATION seconds and the slowest of `status` asked on the control socket
# every 100 ms meanwhile. srvd pinned to CPU 0, the asking client to CPU 1.
#
#   bench/tls_probes.sh [N] [DURATION]       default 50 servers, 10 s
#   SRVD=OTHER/srvd bench/tls_probes.sh      another binary
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
DURATION=${2:-10}
SRVD=${SRVD:-$PWD/build/srvd}
CA=/etc/ssl/certs/ca-certificates.crt
[ -r "$CA" ] || { echo "tls_probes.sh: needs $CA (package ca-certificates)" >&2; exit 1; }
PORT=5395
WORK=$(mktemp -d /tmp/srvd-tls-probes-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
{
  echo "zone: tls.example"
  echo "soa: { primary: ns1.tls.example, contact: hostmaster.tls.example, serial: 1 }"
  echo "nameservers: { ns1: [127.0.0.1] }"
  echo "health: { transport: tls, interval: 1s, timeout: 500ms, tls_ca_file: $CA }"
  echo "media_servers:"
  for i in $(seq "$N"); do
    echo "  ms$i: { addresses: [127.0.$((i / 250 + 1)).$((i % 250 + 1))], ports: { tls: 5999 } }"
  done
  echo "proxies: { p: { transports: [tls], targets: [$(seq -s, -f 'ms%g' "$N")] } }"
} >"$WORK/tls.example.yaml"
printf 'listen: ["127.0.0.1:%s"]\nthreads: 1\nzones: [tls.example.yaml]\nlog: { level: warning }\ncontrol: { socket: %s }\nstate_dir: state\n' \
  "$PORT" "$WORK/ctl.sock" >"$WORK/srvd.yaml"
taskset -c 0 "$SRVD" serve -c "$WORK/srvd.yaml" --allow-root 2>"$WORK/srvd.log" &
PID=$!
for _ in $(seq 100); do [ -S "$WORK/ctl.sock" ] && break; sleep 0.1; done
sleep 3 # the first round of probes
taskset -c 1 python3 - "$PID" "$WORK/ctl.sock" "$DURATION" "$N" <<'PY'
import os, sys, time
sys.path.insert(0, "bench")
from ctl_status import status_ms
pid, path, duration, n = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
tick = os.sysconf("SC_CLK_TCK")
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick
start, cpu0, slowest, asks = time.monotonic(), cpu(), 0.0, 0
while time.monotonic() - start < duration:
    slowest = max(slowest, status_ms(path))
    asks += 1
    time.sleep(0.1)
used = cpu() - cpu0
print(f"{n} media servers probed over TLS every 1 s with the system CA bundle: srvd used "
      f"{used / (time.monotonic() - start) * 100:.0f}% of a CPU; slowest of {asks} status "
      f"answers {slowest:.0f} ms")
PY
