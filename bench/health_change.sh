#!/usr/bin/env bash
# A media server's failure on a white-label platform, end to end: N partner
# zones (default 1,000; bench/partners.sh's policy) share four media servers,
# here four loopback TCP listeners probed by tcp-connect every 100 ms
# (down_after 1, up_after 1). srvd runs pinned to CPU 0, the rest to CPU 1.
# Once srvd has prepared its standby (srvd_standby_zones), one listener is
# closed; reports srvd's own figure (the log's "answers of N zone(s) rebuilt
# in X ms (M prepared ahead)"), the time from the close to the first UDP
# answer without the server (the probe's detection included: up to interval
# + timeout), and srvd's RSS with the standby filled; then, once the standby
# is full again, the same for the listener's return. Then all that with
# `limits.standby_memory: 0`, for the compile path. ROUNDS times.
#
#   bench/health_change.sh [N] [ROUNDS]      (needs build/srvd)
#   SRVD=OTHER/srvd bench/health_change.sh   another binary (without a
#                                            standby its log line has no
#                                            "prepared ahead")
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/partner_zone.sh
# srvd on CPU 0; this script, its listeners and its kdig polls on CPU 1.
taskset -p -c 1 $$ >/dev/null
N=${1:-1000}
ROUNDS=${2:-3}
SRVD=${SRVD:-$PWD/build/srvd}
PORT=5393
MPORT=5394
WORK=$(mktemp -d /tmp/srvd-health-change-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/zones" "$WORK/shared"

# Four media servers: TCP listeners that accept and close.
read -r P1 P2 P3 P4 < <(python3 -c 'import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
listen() { # PORT: accepts until killed
  python3 -c 'import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(512)
while True: s.accept()[0].close()' "$1" &
}
cat >"$WORK/shared/platform.yaml" <<Y
health: { probe: tcp-connect, interval: 100ms, timeout: 100ms, down_after: 1, up_after: 1 }
media_servers:
  ms1: { addresses: [127.0.0.1], ports: { udp: $P1, tcp: $P1 }, location: [40.71, -74.01] }
  ms2: { addresses: [127.0.0.1], ports: { udp: $P2, tcp: $P2 }, location: [41.88, -87.63] }
  ms3: { addresses: [127.0.0.1], ports: { udp: $P3, tcp: $P3 }, location: [37.77, -122.42] }
  ms4: { addresses: [127.0.0.1], ports: { udp: $P4, tcp: $P4 }, location: [32.78, -96.80] }
regions:
  east:    { match: [US-NY, US-NJ, US-MA, US-PA], location: [40.71, -74.01] }
  west:    { match: [US-CA, US-WA, US-OR],        location: [37.77, -122.42] }
  central: { match: [US],                         location: [32.78, -96.80] }
default_region: central
Y
for i in $(seq 1 "$N"); do
  partner_zone "$i" 1 >"$WORK/zones/partner$i.example.yaml"
done
metric() { curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
now_ms() { date +%s%3N; }
# proxy-a's SRV records: ms2's port is in them until it leaves. An answer
# that did not come (a timeout) is not an answer without it.
srv() { kdig @127.0.0.1 -p $PORT +time=1 +retry=0 +short _sip._udp.proxy-a.partner1.example SRV 2>/dev/null; }
has_ms2() { srv | grep -q " $P2 "; }

# Waits until ms2 is in (WANT yes) or out (no) of the answers and the
# standby holds four servers' worth of zones (none without a budget).
# (A binary from before session 16 prepares no returns: RETURNS=no.)
ready() { # BUDGET WANT
  local want=$([ "$1" = 0 ] && echo 0 || echo $((4 * N))) end=$(( $(date +%s) + 300 ))
  [ "$2" = no ] && [ "${RETURNS:-yes}" = no ] && [ "$1" != 0 ] && want=$((3 * N))
  until { [ "$2" = yes ] && has_ms2 || { [ "$2" = no ] && ! has_ms2; }; } &&
    [ "$(metric srvd_standby_zones)" = "$want" ]; do
    [ "$(date +%s)" -lt "$end" ] || { echo "srvd never got ready"; tail "$WORK/srvd.log"; exit 1; }
    sleep 0.2
  done
}
# Polls until ms2 is in (WANT yes) or out (no) of proxy-a's answers; prints
# the milliseconds since START and the queries unanswered meanwhile.
until_answers() { # START WANT
  local answer lost=0
  while :; do
    answer=$(srv)
    [ -n "$answer" ] || { lost=$((lost + 1)); continue; }
    if grep -q " $P2 " <<<"$answer"; then [ "$2" = yes ] && break; else [ "$2" = no ] && break; fi
    sleep 0.005
  done
  echo "$(( $(now_ms) - $1 )) $lost"
}
rebuilt_since() { # LINE: srvd's own figure for the change after that log line
  sleep 0.3
  tail -n +"$(($1 + 1))" "$WORK/srvd.log" | grep -o 'answers of [0-9]* zone(s) rebuilt in .*' | head -1
}

run() { # BUDGET: one srvd, ROUNDS failures and returns of ms2
  local budget=$1 ms2 rss standby mark start seen lost
  for p in $P1 $P3 $P4; do listen "$p"; done
  printf 'listen: ["127.0.0.1:%s"]\nthreads: 1\nzones: [zones]\nlog: { level: info }\nmetrics: { listen: "127.0.0.1:%s" }\nlimits: { standby_memory: %s }\n' \
    "$PORT" "$MPORT" "$budget" >"$WORK/srvd.yaml"
  listen "$P2"
  ms2=$!
  taskset -c 0 "$SRVD" serve -c "$WORK/srvd.yaml" --allow-root 2>"$WORK/srvd.log" &
  local pid=$!
  for round in $(seq "$ROUNDS"); do
    ready "$budget" yes
    rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
    standby=$(( $(metric srvd_standby_bytes) / 1048576 ))
    mark=$(wc -l <"$WORK/srvd.log")
    start=$(now_ms)
    kill "$ms2"; wait "$ms2" 2>/dev/null || true
    read -r seen lost < <(until_answers "$start" no)
    echo "standby_memory $budget, round $round, failure: $(rebuilt_since "$mark"); answers without ms2 $seen ms after its close ($lost queries unanswered meanwhile); RSS $rss MiB with the standby at $standby MiB"
    # Its return, once the standby is full again (for a server down, its
    # return is prepared too).
    ready "$budget" no
    mark=$(wc -l <"$WORK/srvd.log")
    listen "$P2"
    ms2=$!
    # From when it accepts (python takes about half a second to start).
    until (exec 3<>"/dev/tcp/127.0.0.1/$P2") 2>/dev/null; do sleep 0.005; done
    start=$(now_ms)
    read -r seen lost < <(until_answers "$start" yes)
    echo "standby_memory $budget, round $round, return: $(rebuilt_since "$mark"); answers with ms2 $seen ms after it accepts again ($lost queries unanswered meanwhile)"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true
}
echo "== $N partner zones sharing four media servers; ms2's listener closed"
run ${FIRST:-1G}
[ -n "${ONLY:-}" ] || run 0
