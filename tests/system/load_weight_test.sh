#!/usr/bin/env bash
# Load-aware weights (health.load, issue #28.6), with SIPp media servers and
# a small HTTP load source (python3's http.server serving a file):
#  * ms1 reports its load in an X-Load header of its OPTIONS replies, ms2
#    at its load_url; both share a tier configured 50/50;
#  * first places (the SRV record a phone tries first, per client subnet)
#    move toward the less loaded server, and back when the loads swap;
#  * a change within the hysteresis leaves the weights alone;
#  * a silent source gives the configured weight back;
#  * status, explain and metrics show each weight and why.
source "$(dirname "$0")/lib.sh"
command -v sipp >/dev/null || fail "sipp is not installed (scripts/install-deps.sh installs sip-tester)"
mkdir -p "$WORK/zones" "$WORK/load"
MPORT=$(free_port)
HPORT=$(free_port)

cat >"$WORK/zones/load.example.yaml" <<Z
zone: load.example
soa: { primary: ns1.load.example, contact: hostmaster.load.example, serial: 1 }
nameservers: { ns1: [127.0.0.1] }
health:
  interval: 300ms
  timeout: 200ms
  load: { header: X-Load, every: 1s, hysteresis: 5, smoothing: 1 }
media_servers:
  ms1: { addresses: [192.0.2.51], probe_address: 127.0.0.51 }
  ms2: { addresses: [192.0.2.52], probe_address: 127.0.0.52, load_url: "http://127.0.0.1:$HPORT/ms2" }
  ms3: { addresses: [192.0.2.53], probe_address: 127.0.0.53 }
proxies:
  p: { targets: [{ms1: 50, ms2: 50}, ms3] }
Z
printf 'zones: [zones]\nstate_dir: state\ncontrol: { socket: ctl.sock }\nmetrics: { listen: "127.0.0.1:%s" }\n' "$MPORT" >"$WORK/srvd.yaml"

declare -A RUN
start_sipp() { # start_sipp N SCENARIO [LOAD]
  sipp -sf "$(dirname "$0")/sipp/$2.xml" -i "127.0.0.5$1" -p 5060 -nostdin -key load "${3:-0}" \
    -trace_err -error_file "$WORK/sipp-$1.err" >/dev/null 2>&1 &
  RUN[$1]=$!
  PIDS+=("$!")
  wait_udp_listening "${RUN[$1]}" "127.0.0.5$1" 5060 || fail "SIPp ms$1 did not start"
}
stop() { kill "${RUN[$1]}" 2>/dev/null || true; wait "${RUN[$1]}" 2>/dev/null || true; }
echo 10 >"$WORK/load/ms2"
python3 -m http.server --bind 127.0.0.1 --directory "$WORK/load" "$HPORT" >/dev/null 2>&1 &
RUN[http]=$!
PIDS+=("$!")
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$HPORT/ms2" >/dev/null && break; sleep 0.1; done
start_sipp 1 options-200-load 90
start_sipp 2 options-200
start_sipp 3 options-200

# first_places: how many of 100 client subnets (127.1.N.0/24) get ms1, ms2
# first in _sip._udp.p: the record a phone that takes the first one tries.
first_places() {
  local n first ms1=0 ms2=0
  for n in $(seq 1 100); do
    first=$(kdig @127.0.0.1 -p "$PORT" -b "127.1.$n.1" +norec +noall +answer _sip._udp.p.load.example SRV |
      awk '$5 == 10 {print $8; exit}' | cut -d. -f1)
    case $first in ms1) ms1=$((ms1 + 1)) ;; ms2) ms2=$((ms2 + 1)) ;; esac
  done
  echo "$ms1 $ms2"
}
weights() { q _sip._udp.p.load.example SRV | awk '$5 == 10 {split($8, a, "."); print a[1], $6}' | sort | paste -sd' '; }
# wait_weights "ms1 W1 ms2 W2" LIMIT_S
wait_weights() {
  local end=$((SECONDS + $2))
  while [ "$SECONDS" -le "$end" ]; do
    [ "$(weights)" = "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

start_srvd "$WORK/srvd.yaml"
# ms1 at 90% -> 100 - 99 * 0.9 = 10.9 -> 11; ms2 at 10% -> 90.1 -> 90.
wait_weights "ms1 11 ms2 90" 5 || fail "weights from load: $(weights); $(grep health: "$WORK/srvd.log")"
read -r f1 f2 <<<"$(first_places)"
echo "first places with ms1 loaded 90%, ms2 10%: ms1 $f1, ms2 $f2 (of 100 subnets)"
[ "$f2" -ge 70 ] || fail "the less loaded ms2 should come first for most subnets: ms1 $f1, ms2 $f2"
pass "first places move toward the less loaded server (ms2 first for $f2 of 100 subnets)"

status=$("$SRVD" ctl -c "$WORK/srvd.yaml" status)
echo "$status" | has '^  load.example. ms1: up since .*weight: load 90% (average 90%): weight 11$' \
  || fail "status, ms1: $status"
echo "$status" | has '^  load.example. ms3: up since .*weight: load: no X-Load header; no load reading yet: configured weights$' \
  || fail "ms3 sends no X-Load: its configured weights, and why: $status"
curl -sf "http://127.0.0.1:$MPORT/metrics" | has '^srvd_media_server_weight{zone="load.example.",server="ms2"} 90$' \
  || fail "metric: $(curl -sf "http://127.0.0.1:$MPORT/metrics" | grep weight)"
"$SRVD" ctl -c "$WORK/srvd.yaml" explain --client 127.1.1.1 _sip._udp.p.load.example SRV |
  has '^weights from load (health.load; srvd ctl status says why): ms1 11 ms2 90$' \
  || fail "explain: $("$SRVD" ctl -c "$WORK/srvd.yaml" explain --client 127.1.1.1 _sip._udp.p.load.example SRV)"
pass "status, explain and metrics show the weights and why"

# Within the hysteresis (90 -> 88): no change, however long.
echo 12 >"$WORK/load/ms2"
sleep 2
[ "$(weights)" = "ms1 11 ms2 90" ] || fail "a change of 2 moved the weights: $(weights)"
pass "a change within the hysteresis leaves the weights"

# The loads swap: ms1 idle, ms2 busy.
stop 1
start_sipp 1 options-200-load 5
echo 95 >"$WORK/load/ms2"
wait_weights "ms1 95 ms2 6" 5 || fail "after the loads swapped: $(weights)"
read -r g1 g2 <<<"$(first_places)"
echo "first places with ms1 loaded 5%, ms2 95%: ms1 $g1, ms2 $g2 (of 100 subnets)"
[ "$g1" -ge 70 ] || fail "first places should move to ms1: ms1 $g1, ms2 $g2"
pass "and back when the loads swap (ms1 first for $g1 of 100 subnets)"

# The HTTP source goes away: after three intervals ms2 has its configured 50.
stop http
wait_weights "ms1 95 ms2 50" 5 || fail "a silent source: $(weights)"
"$SRVD" ctl -c "$WORK/srvd.yaml" status | has '^  load.example. ms2: up since .*weight: load: .*load source silent: configured weights$' \
  || fail "status, silent ms2: $("$SRVD" ctl -c "$WORK/srvd.yaml" status)"
pass "a silent load source gives the configured weight back"
