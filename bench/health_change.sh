#!/usr/bin/env bash
# A media server's failure on a white-label platform, end to end: N partner
# zones (default 1,000; bench/partners.sh's policy) share four media servers,
# here four loopback TCP listeners probed by tcp-connect every 100 ms
# (down_after 1, up_after 1). srvd runs pinned to CPU 0, the rest to CPU 1.
# Once srvd's standby is full (srvd_standby_zones steady), ms2's listener is
# closed, then ms3's as soon as ms2 has left the answers (a second failure
# before the standby could refill); for each, srvd's own figure (the log's
# "answers of N zone(s) rebuilt in X ms (M prepared ahead)"), the time from
# the close to the first UDP answer without the server (the probe's
# detection included: up to interval + timeout), and srvd's RSS with the
# standby filled. Then, each once the standby is full again, ms3's and ms2's
# returns, timed from when their listeners accept. Then all that with
# `limits.standby_memory: 0`, for the compile path. ROUNDS times.
#
#   bench/health_change.sh [N] [ROUNDS]      (needs build/srvd)
#   SRVD=OTHER/srvd bench/health_change.sh   another binary (without a
#                                            standby its log line has no
#                                            "prepared ahead")
#   ONLY=1 / FIRST=BUDGET                    one srvd only, with that budget
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
has() { srv | grep -q " $1 "; } # PORT: that media server is in the answers

# Waits until ms2 is in (WANT yes) or out (no) of the answers and the
# standby is full: the same count of zones for a second (none without a budget).
ready() { # BUDGET WANT
  local end=$(( $(date +%s) + 300 )) last=-1 count
  while :; do
    [ "$(date +%s)" -lt "$end" ] || { echo "srvd never got ready"; tail "$WORK/srvd.log"; exit 1; }
    if { [ "$2" = yes ] && has "$P2"; } || { [ "$2" = no ] && ! has "$P2"; }; then
      count=$(metric srvd_standby_zones)
      [ "$count" = "$last" ] && { [ "$1" = 0 ] || [ "$count" != 0 ]; } && return
      last=$count
      sleep 1
    else
      sleep 0.2
    fi
  done
}
# Polls until PORT's server is in (WANT yes) or out (no) of proxy-a's
# answers; prints the milliseconds since START and the queries unanswered
# meanwhile.
until_answers() { # START WANT PORT
  local answer lost=0
  while :; do
    answer=$(srv)
    [ -n "$answer" ] || { lost=$((lost + 1)); continue; }
    if grep -q " $3 " <<<"$answer"; then [ "$2" = yes ] && break; else [ "$2" = no ] && break; fi
    sleep 0.005
  done
  echo "$(( $(now_ms) - $1 )) $lost"
}
rebuilt_since() { # LINE: srvd's own figure for the change after that log line
  sleep 0.3
  tail -n +"$(($1 + 1))" "$WORK/srvd.log" | grep -o 'answers of [0-9]* zone(s) rebuilt in .*' | head -1
}
# Starts PORT's listener again and, once it accepts, times its return.
comes_back() { # BUDGET ROUND NAME PORT: sets $back to the listener's pid
  local mark start seen lost
  mark=$(wc -l <"$WORK/srvd.log")
  listen "$4"
  back=$!
  # From when it accepts (python takes about half a second to start).
  until (exec 3<>"/dev/tcp/127.0.0.1/$4") 2>/dev/null; do sleep 0.005; done
  start=$(now_ms)
  read -r seen lost < <(until_answers "$start" yes "$4")
  echo "standby_memory $1, round $2, $3 returns: $(rebuilt_since "$mark"); answers with it $seen ms after it accepts again ($lost queries unanswered meanwhile)"
}

run() { # BUDGET: one srvd, ROUNDS failures of ms2 then ms3, and their returns
  local budget=$1 ms2 ms3 rss standby mark start seen lost back
  for p in $P1 $P4; do listen "$p"; done
  printf 'listen: ["127.0.0.1:%s"]\nthreads: 1\nzones: [zones]\nlog: { level: info }\nmetrics: { listen: "127.0.0.1:%s" }\nlimits: { standby_memory: %s }\n' \
    "$PORT" "$MPORT" "$budget" >"$WORK/srvd.yaml"
  listen "$P2"
  ms2=$!
  listen "$P3"
  ms3=$!
  taskset -c 0 "$SRVD" serve -c "$WORK/srvd.yaml" --allow-root 2>"$WORK/srvd.log" &
  local pid=$!
  for round in $(seq "$ROUNDS"); do
    ready "$budget" yes
    rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
    standby="$(( $(metric srvd_standby_bytes) / 1048576 )) MiB ($(metric srvd_standby_zones) zones)"
    mark=$(wc -l <"$WORK/srvd.log")
    start=$(now_ms)
    kill "$ms2"; wait "$ms2" 2>/dev/null || true
    read -r seen lost < <(until_answers "$start" no "$P2")
    echo "standby_memory $budget, round $round, ms2 fails: $(rebuilt_since "$mark"); answers without it $seen ms after its close ($lost queries unanswered meanwhile); RSS $rss MiB with the standby at $standby"
    # A second failure right after the first (a rack, a switch): the pair
    # prepared before the first and kept since.
    mark=$(wc -l <"$WORK/srvd.log")
    start=$(now_ms)
    kill "$ms3"; wait "$ms3" 2>/dev/null || true
    read -r seen lost < <(until_answers "$start" no "$P3")
    echo "standby_memory $budget, round $round, then ms3 fails: $(rebuilt_since "$mark"); answers without it $seen ms after its close ($lost queries unanswered meanwhile)"
    # Their returns, each once the standby is full again.
    ready "$budget" no
    comes_back "$budget" "$round" ms3 "$P3"
    ms3=$back
    ready "$budget" no
    comes_back "$budget" "$round" ms2 "$P2"
    ms2=$back
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true
}
echo "== $N partner zones sharing four media servers; ms2's listener closed"
run ${FIRST:-1G}
[ -n "${ONLY:-}" ] || run 0
