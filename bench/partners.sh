#!/usr/bin/env bash
# A white-label platform: N partner zones (default 1,000) that share one
# `include:` for media servers, ports, regions and health, served with
# transfers, auto serials and a catalog. Measures what an operator feels:
# `srvd check` time and peak memory, serve start-up and SIGHUP reload time and
# resident memory, and the catalog and partner AXFRs; a health change's cost
# by stage (bench/rebuild_bench); then NSD, as the peer,
# loading the same zones (fetched from srvd by AXFR) with its time and memory.
# With the 300,000-network GeoIP database run.sh uses (made here if missing):
# every partner zone is GeoIP-aware, and they all share one region table.
#
#   bench/partners.sh [N]     (needs build/srvd; run as root for NSD)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/partner_zone.sh
# wait_until LIMIT_S CMD...: polls CMD until it succeeds; fails after LIMIT_S seconds.
wait_until() {
  local limit=$1; shift
  local end=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || { echo "timed out after ${limit}s: $*" >&2; return 1; }
    sleep 0.02
  done
}
# Over TCP: until the server listens, a refused connection returns at once
# (a UDP query would wait out its timeout and blur the timing by a second).
answers() { kdig @127.0.0.1 -p "$1" +tcp +time=1 +retry=0 +short "$2" "$3" | grep -q "${4:-.}"; }
N=${1:-1000}
SRVD=$PWD/build/srvd
OUT=$(mktemp -d /tmp/srvd-partners-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$OUT"' EXIT
mkdir -p "$OUT/zones" "$OUT/shared" "$OUT/state" "$OUT/nsd"

cat >"$OUT/shared/platform.yaml" <<'Y'
# The platform: the same media servers behind every partner's names.
ports: { udp: 5060, tcp: 5060, tls: 5061 }
media_servers:
  ms1: { addresses: [192.0.2.11], location: [40.71, -74.01] }
  ms2: { addresses: [192.0.2.12], location: [41.88, -87.63] }
  ms3: { addresses: [192.0.2.13], location: [37.77, -122.42] }
  ms4: { addresses: [192.0.2.14, "2001:db8::14"], location: [32.78, -96.80] }
regions:
  east:    { match: [US-NY, US-NJ, US-MA, US-PA], location: [40.71, -74.01] }
  west:    { match: [US-CA, US-WA, US-OR],        location: [37.77, -122.42] }
  central: { match: [US],                         location: [32.78, -96.80] }
default_region: central
Y
for i in $(seq 1 "$N"); do
  { partner_zone "$i" auto; echo 'records: ["www IN CNAME portal.platform.example."]'; } \
    >"$OUT/zones/partner$i.example.yaml"
done
mkdir -p bench/out
[ -f bench/out/geo.mmdb ] || perl zones/geo/make-demo-db.pl --random 300000 bench/out/geo.mmdb
PORT=5391
cat >"$OUT/srvd.yaml" <<Y
listen: ["127.0.0.1:$PORT"]
threads: 1
zones: [zones]
state_dir: state
geoip: { database: $PWD/bench/out/geo.mmdb }
catalog: catalog.invalid
transfer: { allow: [{ address: 127.0.0.0/8 }] }
log: { level: warning }
Y

echo "== $N partner zones, one shared include"
/usr/bin/time -f "%e %M" -o "$OUT/time" "$SRVD" check -c "$OUT/srvd.yaml" >"$OUT/check.out"
read -r secs kib <"$OUT/time"
echo "srvd check: ${secs}s, peak RSS $((kib / 1024)) MiB; $(grep -o '^[0-9]* zones' "$OUT/check.out");" \
  "$(grep -o '[0-9]* distinct locations, compiled to [0-9]* ranges in [0-9]* table(s)' "$OUT/check.out")"

start=$(date +%s.%N)
"$SRVD" serve -c "$OUT/srvd.yaml" --allow-root >"$OUT/srvd.log" 2>&1 &
SRVD_PID=$!
wait_until 60 answers $PORT partner1.example SOA
echo "srvd serve: answering after $(echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.2f')s," \
  "RSS $(awk '/VmRSS/ {printf "%d", $2/1024}' /proc/$SRVD_PID/status) MiB"
start=$(date +%s.%N)
# A reload is done when a changed zone answers with its new content.
echo '  - "reloaded IN TXT \"yes\""' >>"$OUT/zones/partner$N.example.yaml"
kill -HUP "$SRVD_PID"
wait_until 60 answers $PORT "reloaded.partner$N.example" TXT yes
echo "srvd SIGHUP (one zone changed): new content served after" \
  "$(echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.2f')s," \
  "RSS $(awk '/VmRSS/ {printf "%d", $2/1024}' /proc/$SRVD_PID/status) MiB"
members=$(kdig @127.0.0.1 -p $PORT catalog.invalid AXFR | grep -c 'PTR')
echo "catalog AXFR: $members member zones"
[ "$members" = "$N" ] || { echo "catalog lists $members zones, expected $N"; exit 1; }
start=$(date +%s.%N)
for i in $(seq 1 "$N"); do
  # An AXFR ends with the SOA again; a zone file has it once.
  kdig @127.0.0.1 -p $PORT +nocomments +nostats "partner$i.example" AXFR | grep -v '^;' | grep . | sed '$d' \
    >"$OUT/nsd/partner$i.example.zone"
done
echo "AXFR of all $N zones, one kdig each: $(echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.1f')s," \
  "$(cat "$OUT"/nsd/*.zone | grep -c IN) records"

# NSD, the peer, loading the same zones.
NSD_PORT=5392
{
  cat <<C
server:
  ip-address: 127.0.0.1@$NSD_PORT
  port: $NSD_PORT
  username: ""
  chroot: ""
  zonesdir: "$OUT/nsd"
  pidfile: "$OUT/nsd/nsd.pid"
  xfrdfile: "$OUT/nsd/xfrd.state"
  zonelistfile: "$OUT/nsd/zone.list"
  database: ""
  logfile: "$OUT/nsd/nsd.log"
  server-count: 1
remote-control:
  control-enable: no
C
  for i in $(seq 1 "$N"); do printf 'zone:\n  name: partner%s.example\n  zonefile: partner%s.example.zone\n' "$i" "$i"; done
} >"$OUT/nsd/nsd.conf"
start=$(date +%s.%N)
nsd -d -c "$OUT/nsd/nsd.conf" &
wait_until 60 answers $NSD_PORT "partner$N.example" SOA || { tail "$OUT/nsd/nsd.log"; exit 1; }
rss=0
for p in $(pgrep -f "nsd -d -c $OUT/nsd/nsd.conf"); do rss=$((rss + $(awk '/VmRSS/ {print $2}' /proc/$p/status))); done
echo "NSD: answering after $(echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.2f')s, RSS $((rss / 1024)) MiB (all processes)"
a=$(kdig @127.0.0.1 -p $PORT -b 127.0.0.1 +short _sip._udp.proxy-b.partner7.example SRV | sort)
b=$(kdig @127.0.0.1 -p $NSD_PORT +short _sip._udp.proxy-b.partner7.example SRV | sort)
[ "$a" = "$b" ] || { echo "srvd and NSD disagree: $a / $b"; exit 1; }
echo "srvd and NSD agree on _sip._udp.proxy-b.partner7.example SRV"

# A health change's cost by stage, on the same zones (no sockets).
echo "health change, in stages: $("$PWD/build/bench/rebuild_bench" "$OUT/srvd.yaml" ms2 3 | tail -1 | sed 's/^ *//')"
