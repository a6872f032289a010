#!/usr/bin/env bash
# Side-by-side dnsperf comparison on loopback: each server pinned to CPU 0,
# dnsperf pinned to CPU 1, the same duration and workloads for all.
#
#   bench/run.sh [SECONDS] [PROXIES]        defaults: 10 s per run, 1000 proxies
#   LISTEN=0.0.0.0 bench/run.sh …           srvd on a wildcard address (replies
#                                           sent with IP_PKTINFO), queried at 127.0.0.1
#   NETWORKS=300000 bench/run.sh …          GeoIP database size (default 1,000,000
#                                           IPv4 /24s, and a quarter as many IPv6 /48s)
#   SRVD=OLD/srvd bench/run.sh …            another srvd binary (before/after tables)
#   BEFORE=OLD/srvd bench/run.sh …          also server "before": that binary, in the
#                                           same rounds as srvd (before/after in one run)
#   SERVERS="echo srvd" bench/run.sh …      only these servers (ratios need echo); add
#                                           "sized" for the echo padding its replies to
#                                           srvd's mean answer size, "nsd-full" for NSD
#                                           with minimal-responses: no
#   ROUNDS=5 bench/run.sh …                 every server that many times, interleaved;
#                                           ratios are the median of the rounds' ratios
#                                           (this VM's noise moves one run by ±10%)
#   RATE=60000 bench/run.sh …               a fixed offered load (dnsperf -Q) instead of
#                                           dnsperf's most: CPU per answer at one load
#
# Servers: udp_echo (no DNS work: the kernel's limit), srvd, NSD serving
# `srvd export` output, Knot DNS with mod-geoip serving the same per-region
# orderings. Workloads: a static SRV/NAPTR/A mix with ~10% NXDOMAIN, and an
# ECS mix (one /24 per query drawn from the GeoIP database's networks).
# Prints queries/s, lost queries, server CPU seconds and answers per server
# CPU-second, and the four ratios the project tracks: static srvd/echo and
# srvd/NSD, ECS srvd/echo and srvd/Knot mod-geoip.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
SECONDS_PER_RUN=${1:-10}
PROXIES=${2:-1000}
BUILD=${BUILD:-build}
SRVD=${SRVD:-$BUILD/srvd}
NETWORKS=${NETWORKS:-1000000}
SERVERS=${SERVERS:-echo sized srvd nsd knot}
ROUNDS=${ROUNDS:-1}
[ -n "${BEFORE:-}" ] && SERVERS="$SERVERS before"
OUT=bench/out
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

scripts/install-deps.sh >/dev/null
for p in knot knot-module-geoip; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" >/dev/null
done
# The packaged services must not hold the ports or the CPUs.
systemctl stop knot nsd 2>/dev/null || true
[ -x "$BUILD/bench/engine_bench" ] || scripts/build.sh all >/dev/null

# Workloads, made once per policy and database size (a 1M-network database
# takes the Perl writer a few minutes).
GEO=geo-$NETWORKS.mmdb
ECS=ecs-$PROXIES-$NETWORKS
[ -f "$OUT/$GEO" ] || perl zones/geo/make-demo-db.pl --random "$NETWORKS" "$OUT/$GEO"
perl bench/make-policy.pl "$PROXIES" "$OUT" # this size's policy and names.txt (quick, deterministic)
[ -f "$OUT/static-$PROXIES.bin" ] ||
  "$BUILD/bench/make_queries" static "$OUT/names.txt" bench.example 200000 "$OUT/static-$PROXIES"
[ -f "$OUT/$ECS.bin" ] ||
  "$BUILD/bench/make_queries" ecs "$OUT/names.txt" bench.example "$OUT/$GEO" 200000 "$OUT/$ECS"
PORT=5390
cat >"$OUT/srvd.yaml" <<CONF
listen: ["${LISTEN:-127.0.0.1}:$PORT"]
threads: 1
zones: [bench.example.yaml]
geoip: { database: $GEO }
log: { level: warning }
CONF
"$SRVD" export -c "$OUT/srvd.yaml" bench.example >"$OUT/bench.example.zone"

cat >"$OUT/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$PORT
  port: $PORT
  username: ""
  chroot: ""
  zonesdir: "$OUT"
  pidfile: "$OUT/nsd.pid"
  xfrdfile: "$OUT/xfrd.state"
  xfrdir: "$OUT"
  zonelistfile: "$OUT/zone.list"
  database: ""
  logfile: "$OUT/nsd.log"
  server-count: 1
  minimal-responses: yes    # 138-byte answers on average, no additional section
  rrl-ratelimit: 0          # Debian builds NSD with response rate limiting on
  rrl-whitelist-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: bench.example
  zonefile: bench.example.zone
CONF
# "nsd-full": NSD adding what it can to its answers (198 bytes on average:
# SRV targets' addresses, NS records), nearer srvd's 243.
sed 's/minimal-responses: yes .*/minimal-responses: no/' "$OUT/nsd.conf" >"$OUT/nsd-full.conf"
mkdir -p "$OUT/knot"
cat >"$OUT/knot.conf" <<CONF
server:
  listen: 127.0.0.1@$PORT
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
  edns-client-subnet: on    # off by default: mod-geoip would see only the source address
  rundir: "$OUT/knot"
database:
  storage: "$OUT/knot"
log:
  - target: stderr
    any: warning
mod-geoip:
  - id: geo
    config-file: "$OUT/knot-geo.conf"
    ttl: 300
    mode: geodb
    geodb-file: "$OUT/$GEO"
    geodb-key: [ country/iso_code, subdivisions/0/iso_code ]
template:
  - id: default
    storage: "$OUT"
zone:
  - domain: bench.example
    file: bench.example.zone
    module: mod-geoip/geo
CONF

# The engine alone, and from it srvd's mean answer size per workload: the
# "sized" echo pads its replies to it (the kernel's limit for datagrams as
# large as srvd's answers, so the ratio to it is srvd's own work alone).
ENGINE_STATIC=$("$BUILD/bench/engine_bench" "$OUT/srvd.yaml" "$OUT/static-$PROXIES.bin")
ENGINE_ECS=$("$BUILD/bench/engine_bench" "$OUT/srvd.yaml" "$OUT/$ECS.bin")
declare -A ANSWER_SIZE
ANSWER_SIZE[static]=$(echo "$ENGINE_STATIC" | awk '{print $(NF-3)}')
ANSWER_SIZE[ecs]=$(echo "$ENGINE_ECS" | awk '{print $(NF-3)}')

start_server() { # NAME WORKLOAD -> sets SERVER_PID
  case $1 in
    echo) taskset -c 0 "$BUILD/bench/udp_echo" 127.0.0.1 "$PORT" & ;;
    sized) taskset -c 0 "$BUILD/bench/udp_echo" 127.0.0.1 "$PORT" "${ANSWER_SIZE[$2]}" & ;;
    srvd) taskset -c 0 "$SRVD" serve -c "$OUT/srvd.yaml" --allow-root & ;;
    before) taskset -c 0 "$BEFORE" serve -c "$OUT/srvd.yaml" --allow-root & ;;
    nsd)  taskset -c 0 nsd -d -c "$OUT/nsd.conf" & ;;
    nsd-full) taskset -c 0 nsd -d -c "$OUT/nsd-full.conf" & ;;
    knot) taskset -c 0 knotd -c "$OUT/knot.conf" 2>"$OUT/knot.log" & ;;
  esac
  SERVER_PID=$!
  case $1 in echo | sized) sleep 0.3; return 0 ;; esac
  wait_up "$PORT" || { echo "$1 did not start" >&2; return 1; }
}

declare -A PER_CPU_OF AGREE
printf '%-7s %-7s %12s %10s %9s %14s\n' workload server "queries/s" lost "cpu s" "answers/cpu-s"
read -ra LIST <<<"$SERVERS"
for round in $(seq 1 "$ROUNDS"); do
# Each round starts one server further on, so no server always runs first
# or right after another (this VM drifts within a run).
ORDER=("${LIST[@]:$(((round - 1) % ${#LIST[@]}))}" "${LIST[@]:0:$(((round - 1) % ${#LIST[@]}))}")
for workload in static ecs; do
  for server in "${ORDER[@]}"; do
    [ "$workload" = ecs ] && [ "${server%-full}" = nsd ] && continue   # NSD has no GeoIP
    start_server "$server" "$workload"
    if [ "$workload" = ecs ] && [ "$server" != echo ] && [ "$server" != sized ] && [ "$round" = 1 ]; then
      # The servers must agree on what they answer, or the comparison means nothing.
      for net in 75.139.239.0 22.47.203.0 8.8.8.0; do
        AGREE[$server]+="$(kdig @127.0.0.1 -p "$PORT" +subnet=$net/24 +short _sip._udp.p2.bench.example SRV | head -1) "
      done
    fi
    if [ "$workload" = static ]; then input=(-d "$OUT/static-$PROXIES.txt"); else input=(-B -d "$OUT/$ECS.bin"); fi
    measure "$SERVER_PID" "$PORT" "$SECONDS_PER_RUN" "${input[@]}"
    stop_server "$SERVER_PID"
    PER_CPU_OF[$round-$workload-$server]=$PER_CPU
    printf '%-7s %-7s %12s %10s %9s %14s\n' "$workload" "$server" "$QPS" "$LOST" "$CPU" "$PER_CPU"
  done
done
done
for server in knot before; do
  if [ -n "${AGREE[$server]:-}" ] && [ "${AGREE[srvd]}" != "${AGREE[$server]}" ]; then
    echo "srvd and $server disagree on ECS answers: '${AGREE[srvd]}' vs '${AGREE[$server]}'" >&2
    exit 1
  fi
done
# ratio WORKLOAD A B: the median over the rounds of A/B within each round
# (and the range when there are several).
ratio() {
  local round
  for round in $(seq 1 "$ROUNDS"); do
    echo "${PER_CPU_OF[$round-$1-$2]:-0} ${PER_CPU_OF[$round-$1-$3]:-0}"
  done | awk '$1 > 0 && $2 > 0 { print $1 / $2 }' | sort -n | awk '{ r[++n] = $1 }
    END {
      if (n == 0) { print "n/a"; exit }
      m = n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
      if (n == 1) printf "%.2f", m; else printf "%.2f (%.2f-%.2f)", m, r[1], r[n]
    }'
}
echo
echo "answers per server CPU-second, ratios ($PROXIES proxies, $NETWORKS-network GeoIP database, $SRVD, $ROUNDS round(s)):"
echo "  static: srvd/echo $(ratio static srvd echo) (goal 0.95)  srvd/NSD $(ratio static srvd nsd) (goal 1.3)  srvd/Knot $(ratio static srvd knot)"
echo "  ecs:    srvd/echo $(ratio ecs srvd echo) (goal 0.95)  srvd/Knot mod-geoip $(ratio ecs srvd knot) (goal 1.3)"
if [[ " $SERVERS " == *" nsd-full "* ]]; then
  echo "  static: srvd/NSD with minimal-responses: no $(ratio static srvd nsd-full)"
fi
if [[ " $SERVERS " == *" sized "* ]]; then
  echo "  srvd/sized echo (replies padded to ${ANSWER_SIZE[static]} and ${ANSWER_SIZE[ecs]} bytes):" \
    "static $(ratio static srvd sized), ecs $(ratio ecs srvd sized); sized/echo: static" \
    "$(ratio static sized echo), ecs $(ratio ecs sized echo)"
fi
if [ -n "${BEFORE:-}" ]; then
  echo "  before ($BEFORE)/echo: static $(ratio static before echo), ecs $(ratio ecs before echo);" \
    "srvd/before: static $(ratio static srvd before), ecs $(ratio ecs srvd before)"
fi
echo
echo "engine alone (bench/engine_bench):"
echo "  static: $ENGINE_STATIC"
echo "  ecs:    $ENGINE_ECS"
