#!/usr/bin/env bash
# The control plane while a big change is compiled: srvd serving the signed
# 10,000-proxy policy (bench/dnssec.sh's, made here if missing) is reloaded
# with one record changed, and meanwhile `srvd ctl status` and /metrics are
# asked every 50 ms; reports their slowest answer, how long the reload took,
# the longest time between two health probes of a media server meanwhile,
# and resident memory steady, at its peak during the reload, and after.
#
#   bench/control.sh [ROUNDS]          default 3 reloads
#   SRVD=OTHER/srvd bench/control.sh   another binary (the same policy)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SRVD=${SRVD:-build/srvd}
OUT=bench/out/dnssec
SCALE=$OUT/scale
[ -f "$SCALE/signed.yaml" ] || bench/dnssec.sh 2 1000 >/dev/null
PORT=5391
MPORT=5392
WORK=$(mktemp -d /tmp/srvd-control-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
cp -r "$SCALE/keys" "$WORK/"
# The policy's eight media servers made loopback addresses (127.0.0.11-18)
# on one port where a listener notes each tcp-connect probe: the probes run
# on the control thread, and must keep their interval while the reload
# compiles on the change worker.
PROBE_PORT=5393
sed 's/ms\([0-9]\): { addresses: \[10\.0\.0\.\([0-9]*\)\] }/ms\1: { addresses: [127.0.0.1\2], ports: { udp: '$PROBE_PORT', tcp: '$PROBE_PORT' } }/' \
  "$SCALE/signed.yaml" >"$WORK/signed.yaml"
grep -q "127.0.0.18" "$WORK/signed.yaml" || { echo "control.sh: the policy's media servers were not rewritten" >&2; exit 1; }
echo "health: { probe: tcp-connect, interval: 1s, timeout: 500ms, down_after: 2, up_after: 1 }" >>"$WORK/signed.yaml"
python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(512)
with open(sys.argv[2], "w") as out:
    while True:
        c = s.accept()[0]
        out.write(f"{time.time():.3f} {c.getsockname()[0]}\n"); out.flush()
        c.close()' "$PROBE_PORT" "$WORK/probes.log" &
# The standby (zones compiled ahead for each server's failure) is off: the
# memory measured is the served policy's and its reload's.
printf 'listen: ["127.0.0.1:%s"]\nthreads: 1\nzones: [signed.yaml]\nlog: { level: warning }\ncontrol: { socket: %s }\nmetrics: { listen: "127.0.0.1:%s" }\nstate_dir: state\nlimits: { standby_memory: 0 }\n' \
  "$PORT" "$WORK/ctl.sock" "$MPORT" >"$WORK/srvd.yaml"
"$SRVD" serve -c "$WORK/srvd.yaml" --allow-root 2>"$WORK/srvd.log" &
PID=$!
for _ in $(seq 600); do
  kdig @127.0.0.1 -p "$PORT" +time=1 +retry=0 bench.example SOA >/dev/null 2>&1 && break
  sleep 0.1
done
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$PID/status"; }
ms() { echo "$(date +%s%N) $1" | awk '{printf "%d", ($1 - $2) / 1000000}'; }
steady=$(rss)
echo "srvd serving the signed 10,000-proxy policy: RSS $steady MiB"
for round in $(seq "$ROUNDS"); do
  sed -i '/^records:/d' "$WORK/signed.yaml" # one record changed per round
  echo "records: [\"round IN TXT $round\"]" >>"$WORK/signed.yaml"
  start=$(date +%s%N)
  start_s=$(date +%s.%N)
  "$SRVD" ctl -s "$WORK/ctl.sock" reload >"$WORK/reload.out" 2>&1 &
  reload=$!
  read -r asks status_max metrics_max peak < <(python3 - "$reload" "$PID" "$WORK/ctl.sock" "$MPORT" <<'PY'
import os, sys, time, urllib.request
sys.path.insert(0, "bench")
from ctl_status import status_ms
reload_pid, srvd_pid, path, mport = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def alive(pid):
    try:
        os.kill(pid, 0)
        return open(f"/proc/{pid}/stat").read().split()[2] != "Z"
    except OSError:
        return False
def rss():
    for line in open(f"/proc/{srvd_pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
asks, status_max, metrics_max, peak = 0, 0.0, 0.0, rss()
while alive(reload_pid):
    status_max = max(status_max, status_ms(path))
    t = time.monotonic()
    urllib.request.urlopen(f"http://127.0.0.1:{mport}/metrics").read()
    metrics_max = max(metrics_max, (time.monotonic() - t) * 1000)
    peak = max(peak, rss())
    asks += 1
    time.sleep(0.05)
print(asks, round(status_max), round(metrics_max), peak)
PY
)
  wait "$reload" || { cat "$WORK/reload.out"; exit 1; }
  took=$(ms "$start")
  end_s=$(date +%s.%N)
  sleep 3
  after=$(rss)
  # The longest time between two probes of one server while the reload ran
  # (the probe before it started and the one after it ended included).
  probe_gap=$(python3 - "$WORK/probes.log" "$start_s" "$end_s" <<'PY'
import collections, sys
begin, end = float(sys.argv[2]), float(sys.argv[3])
seen = collections.defaultdict(list)
for line in open(sys.argv[1]):
    t, server = line.split()
    seen[server].append(float(t))
gap = 0.0
for times in seen.values():
    before = [t for t in times if t < begin]
    after = [t for t in times if t > end]
    window = before[-1:] + [t for t in times if begin <= t <= end] + after[:1]
    gap = max([gap] + [b - a for a, b in zip(window, window[1:])])
print(f"{gap * 1000:.0f} ms over {len(seen)} servers")
PY
)
  echo "reload $round: ${took} ms; during it $asks status + /metrics pairs, slowest status ${status_max} ms," \
    "slowest /metrics ${metrics_max} ms; longest between probes $probe_gap (interval 1 s); RSS peak $peak MiB ($(echo "$peak $steady" | awk '{printf "%.2f", $1 / $2}') x steady); 3 s after: $after MiB"
done
