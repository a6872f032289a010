#!/usr/bin/env bash
# Health-checked failover with SIPp playing the media servers: a server that
# stops answering OPTIONS leaves the answers within interval x down_after,
# comes back within interval x up_after; all down -> fail-open; 503 ->
# draining (kept only when nothing better is up).
source "$(dirname "$0")/lib.sh"
command -v sipp >/dev/null || fail "sipp is not installed (scripts/install-deps.sh installs sip-tester)"
mkdir -p "$WORK/zones"
MPORT=$(free_port)
cat >"$WORK/zones/example.com.yaml" <<'Z'
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [127.0.0.1] }
health: { probe: sip-options, transport: udp, interval: 300ms, timeout: 200ms, down_after: 2, up_after: 2 }
media_servers:
  ms1: { addresses: [192.0.2.21], probe_address: 127.0.0.21 }
  ms2: { addresses: [192.0.2.22], probe_address: 127.0.0.22 }
  ms3: { addresses: [192.0.2.23], probe_address: 127.0.0.23 }
proxies:
  p: { targets: [ms1, ms2, ms3] }
Z
# A partner zone with the same media servers and health checks: they are
# probed once for both zones, and both zones follow the same states.
sed -e 's/example\.com/partner.example/g' -e 's/targets: \[ms1, ms2, ms3\]/targets: [ms3, ms1]/' \
  "$WORK/zones/example.com.yaml" >"$WORK/zones/partner.example.yaml"
# A third zone with a server of its own: a change of ms1 leaves it as it is.
cat >"$WORK/zones/other.example.yaml" <<'Z'
zone: other.example
soa: { primary: ns1.other.example, contact: hostmaster.other.example, serial: 1 }
nameservers: { ns1: [127.0.0.1] }
health: { probe: sip-options, transport: udp, interval: 300ms, timeout: 200ms, down_after: 2, up_after: 2 }
media_servers:
  ms9: { addresses: [192.0.2.29], probe_address: 127.0.0.29 }
proxies:
  p: { targets: [ms9] }
Z
# OPTIONS over TCP, through a "proxy" that says 100 Trying before 200 (ms4),
# and a plain TCP connect probe (ms5); ms6 and ms7 have nothing listening.
cat >"$WORK/zones/tcp.example.yaml" <<'Z'
zone: tcp.example
soa: { primary: ns1.tcp.example, contact: hostmaster.tcp.example, serial: 1 }
nameservers: { ns1: [127.0.0.1] }
health: { probe: sip-options, transport: tcp, interval: 300ms, timeout: 200ms, down_after: 2, up_after: 2 }
media_servers:
  ms4: { addresses: [192.0.2.24], probe_address: 127.0.0.24 }
  ms6: { addresses: [192.0.2.26], probe_address: 127.0.0.26 }
proxies:
  p: { targets: [ms6, ms4] }
Z
sed -e 's/tcp\.example/conn.example/g' -e 's/probe: sip-options, transport: tcp/probe: tcp-connect/' \
    -e 's/ms4/ms5/g; s/127.0.0.24/127.0.0.25/; s/192.0.2.24/192.0.2.25/' \
    -e 's/ms6/ms7/g; s/127.0.0.26/127.0.0.27/; s/192.0.2.26/192.0.2.27/' \
  "$WORK/zones/tcp.example.yaml" >"$WORK/zones/conn.example.yaml"
# all_down: serve-none: ms31 never answers; ms32 is probed at ms2's SIPp. The
# GeoIP name sends east (198.51.100.0/24 in the demo database) to ms31 only.
cat >"$WORK/zones/none.example.yaml" <<'Z'
zone: none.example
soa: { primary: ns1.none.example, contact: hostmaster.none.example, serial: 1 }
nameservers: { ns1: [127.0.0.1] }
health: { probe: sip-options, transport: udp, interval: 300ms, timeout: 200ms, down_after: 2, up_after: 2, all_down: serve-none }
regions: { east: { match: [US-NY] }, west: { match: [US-CA] } }
default_region: east
media_servers:
  ms31: { addresses: [192.0.2.31], probe_address: 127.0.0.31 }
  ms32: { addresses: [192.0.2.32], probe_address: 127.0.0.22 }
proxies:
  dead: { targets: [ms31] }
  geo: { targets: { east: [ms31], west: [ms32] } }
Z
printf 'zones: [zones]\nmetrics: { listen: "127.0.0.1:%s" }\ngeoip: { database: %s/zones/geo/demo-city.mmdb }\n' \
  "$MPORT" "$SRC" >"$WORK/srvd.yaml"

declare -A SIPP
start_ms() { # start_ms N CODE
  sipp -sf "$(dirname "$0")/sipp/options-$2.xml" -i "127.0.0.2$1" -p 5060 -nostdin -trace_err \
    -error_file "$WORK/sipp-$1.err" >/dev/null 2>&1 &
  SIPP[$1]=$!
  PIDS+=("${SIPP[$1]}")
  wait_udp_listening "${SIPP[$1]}" "127.0.0.2$1" 5060 || fail "media server $1 (SIPp) did not start"
}
stop_ms() { kill "${SIPP[$1]}" 2>/dev/null || true; wait "${SIPP[$1]}" 2>/dev/null || true; }
start_tcp_ms() { # start_tcp_ms N SCENARIO: SIPp over TCP on 127.0.0.2N:5060
  sipp -sf "$(dirname "$0")/sipp/$2.xml" -i "127.0.0.2$1" -p 5060 -t t1 -nostdin -trace_err \
    -error_file "$WORK/sipp-$1.err" >/dev/null 2>&1 &
  SIPP[$1]=$!
  PIDS+=("${SIPP[$1]}")
  for _ in $(seq 1 50); do ss -Hlnt "src 127.0.0.2$1 and sport = :5060" | grep -q . && return 0; sleep 0.1; done
  fail "media server $1 (SIPp over TCP) did not start"
}
zone_targets() { q "_sip._udp.p.$1" SRV | awk '{print $5, $8}' | cut -d. -f1 | paste -sd' '; }
gauge() { curl -sf "http://127.0.0.1:$MPORT/metrics" | awk -v k="srvd_media_server_up{zone=\"$1.\",server=\"$2\"}" '$1 == k {print $2}'; }

targets() { q _sip._udp.p.example.com SRV | awk '{print $5, $8}' | cut -d. -f1 | paste -sd' '; }
# wait_for EXPECTED LIMIT_S: polls every 50 ms; prints the seconds it took.
wait_for() {
  local start now
  start=$(date +%s.%N)
  while true; do
    [ "$(targets)" = "$1" ] && { now=$(date +%s.%N); echo "$now - $start" | bc -l | xargs printf '%.2f'; return 0; }
    now=$(date +%s.%N)
    if (( $(echo "$now - $start > $2" | bc -l) )); then echo "timeout"; return 1; fi
    sleep 0.05
  done
}

start_ms 1 200; start_ms 2 200; start_ms 3 200
start_tcp_ms 4 options-100-200; start_tcp_ms 5 options-200
start_srvd "$WORK/srvd.yaml"
[ "$(targets)" = "10 ms1 20 ms2 30 ms3" ] || fail "all up: $(targets)"
sleep 1
[ "$(targets)" = "10 ms1 20 ms2 30 ms3" ] || fail "still all up after probing: $(targets)"
# Up because their probes were answered, not because none ran yet (a server
# counts as up until its first probe).
for ms in ms1 ms2 ms3; do
  curl -sf "http://127.0.0.1:$MPORT/metrics" | has "^srvd_probe_rtt_seconds{zone=\"example.com.\",server=\"$ms\"} " \
    || fail "$ms has no answered probe yet: the check above proves nothing"
done
pass "all three answer OPTIONS: all three in the answer"

# TCP probes: by now (1 s, three probes) the silent ms6 and ms7 are down;
# ms4, which answers 100 Trying before 200 OK, and ms5 (connect only) are up.
for _ in $(seq 1 40); do
  [ "$(zone_targets tcp.example)" = "10 ms4" ] && [ "$(zone_targets conn.example)" = "10 ms5" ] && break
  sleep 0.05
done
[ "$(zone_targets tcp.example)" = "10 ms4" ] || fail "OPTIONS over TCP: $(zone_targets tcp.example) ($(grep 'ms[46]' "$WORK/srvd.log"))"
[ "$(zone_targets conn.example)" = "10 ms5" ] || fail "tcp-connect: $(zone_targets conn.example)"
[ "$(gauge tcp.example ms4)" = 1 ] && [ "$(gauge tcp.example ms6)" = 0 ] || fail "TCP gauges: ms4 $(gauge tcp.example ms4), ms6 $(gauge tcp.example ms6)"
grep -q 'ms4 (127.0.0.24:5060).* is down' "$WORK/srvd.log" && fail "ms4 (100 then 200 over TCP) was taken down: $(grep ms4 "$WORK/srvd.log")"
stop_ms 4; stop_ms 5
for _ in $(seq 1 40); do
  [ "$(gauge tcp.example ms4)" = 0 ] && [ "$(gauge conn.example ms5)" = 0 ] && break
  sleep 0.05
done
[ "$(gauge tcp.example ms4)" = 0 ] && [ "$(gauge conn.example ms5)" = 0 ] || fail "stopped TCP media servers still up"
pass "OPTIONS over TCP (100 Trying skipped, 200 decides) and tcp-connect: up while answering, down when stopped or silent"

# serve-none: with ms31 down, its proxy answers nothing rather than a dead
# server: SRV and A empty, NAPTR without SRV sets or addresses; the GeoIP name
# empties east alone, and its ECS scope still says how far that answer holds.
for _ in $(seq 1 40); do [ "$(gauge none.example ms31)" = 0 ] && break; sleep 0.05; done
[ "$(gauge none.example ms31)" = 0 ] || fail "ms31 (nothing listening) not down"
out=$(kdig @127.0.0.1 -p "$PORT" +norec _sip._udp.dead.none.example SRV)
echo "$out" | has 'status: NOERROR' && [ -z "$(q _sip._udp.dead.none.example SRV)" ] || fail "serve-none SRV: $out"
[ -z "$(q dead.none.example A)" ] || fail "serve-none A: $(q dead.none.example A)"
out=$(kdig @127.0.0.1 -p "$PORT" +norec dead.none.example NAPTR)
echo "$out" | has 'status: NOERROR' || fail "serve-none NAPTR: $out"
echo "$out" | grep -Eq 'IN[[:space:]]+(SRV|A)[[:space:]]' && fail "serve-none NAPTR carries SRV or addresses: $out"
east=$(kdig @127.0.0.1 -p "$PORT" +norec +subnet=198.51.100.0/24 _sip._udp.geo.none.example SRV)
echo "$east" | has 'CLIENT-SUBNET: 198.51.100.0/24/[1-9]' || fail "serve-none east: no ECS scope: $east"
echo "$east" | has '192.0.2.3[12]\|ms3[12]' && fail "serve-none east is not empty: $east"
west=$(kdig @127.0.0.1 -p "$PORT" +norec +noall +answer +subnet=192.0.2.0/24 _sip._udp.geo.none.example SRV)
echo "$west" | has 'ms32.none.example.' || fail "serve-none: west lost its live server: $west"
pass "all_down: serve-none: SRV, A and NAPTR's additional empty; GeoIP east emptied with scope $(echo "$east" | grep -o '198.51.100.0/24/[0-9]*'), west still ms32"

# interval 0.3 s x down_after 2 = 0.6 s, plus a probe's timeout and a margin.
log_mark=$(wc -l <"$WORK/srvd.log")
stop_ms 1
took=$(wait_for "10 ms2 20 ms3" 2.0) || fail "ms1 not removed within 2 s: $(targets)"
pass "ms1 stopped: gone from SRV in ${took}s, tiers closed up (10 ms2, 20 ms3)"
[ "$(q _sip._udp.p.partner.example SRV | awk '{print $5, $8}' | cut -d. -f1 | paste -sd' ')" = "10 ms3" ] \
  || fail "the partner zone still lists ms1"
[ "$(tail -n +"$((log_mark + 1))" "$WORK/srvd.log" | grep -c 'ms1 (127.0.0.21:5060).* is down')" = 1 ] \
  || fail "ms1 should be one probe for both zones: $(grep 'is down' "$WORK/srvd.log")"
grep -q 'ms1 (127.0.0.21:5060) and the same server in 1 other zone(s) is down' "$WORK/srvd.log" \
  || fail "the shared probe's log line does not say it serves two zones"
tail -n +"$((log_mark + 1))" "$WORK/srvd.log" | has 'health: answers of 2 zone(s) rebuilt' \
  || fail "ms1 going down should rebuild its two zones, not other.example: $(grep 'rebuilt' "$WORK/srvd.log")"
pass "the partner zone sharing ms1 follows the same probe (one probe, both zones rebuilt, not a third)"
[ "$(q p.example.com A | awk '{print $5}')" = 192.0.2.22 ] || fail "proxy A must follow the first remaining tier"
naptr=$(kdig @127.0.0.1 -p "$PORT" +norec p.example.com NAPTR)
echo "$naptr" | has 'status: NOERROR' && echo "$naptr" | has '192.0.2.22' && echo "$naptr" | has '192.0.2.23' \
  || fail "NAPTR without the remaining servers' addresses: $naptr"
echo "$naptr" | has '192.0.2.21' && fail "ms1 still in the NAPTR additional section"
pass "proxy A/AAAA and the NAPTR additional section drop ms1 too"

# A reload while ms1 is down: the new answers are built with its state, and
# nothing else rebuilds them afterwards, so the first answer after the
# reload already leaves it out.
printf 'records:\n  - "www IN A 192.0.2.80"\n' >>"$WORK/zones/example.com.yaml"
reloads=$(grep -c 'reloaded: ' "$WORK/srvd.log" || true)
kill -HUP "$SRVD_PID"
wait_log 'reloaded: ' $((reloads + 1)) || fail "no reload"
[ "$(targets)" = "10 ms2 20 ms3" ] || fail "after a reload ms1 is back in the answer: $(targets)"
[ "$(q www.example.com A | awk '{print $5}')" = 192.0.2.80 ] || fail "the reload did not take"
pass "a reload while ms1 is down: the first answer after it leaves ms1 out"

start_ms 1 200
took=$(wait_for "10 ms1 20 ms2 30 ms3" 2.0) || fail "ms1 not back within 2 s: $(targets)"
pass "ms1 restarted: back in ${took}s"

# Health settings changed by a reload apply: with down_after 100, example.com
# keeps a stopped ms3, while the partner zone (still down_after 2, so a probe
# of its own now) drops it; back to 2, example.com drops it too.
reload_and_wait() {
  local n; n=$(grep -c 'reloaded: ' "$WORK/srvd.log" || true)
  kill -HUP "$SRVD_PID"; wait_log 'reloaded: ' $((n + 1)) || fail "no reload"
}
sed -i 's/down_after: 2, up_after: 2 }/down_after: 100, up_after: 2 }/' "$WORK/zones/example.com.yaml"
reload_and_wait
stop_ms 3
partner() { q _sip._udp.p.partner.example SRV | awk '{print $5, $8}' | cut -d. -f1 | paste -sd' '; }
for _ in $(seq 1 40); do [ "$(partner)" = "10 ms1" ] && break; sleep 0.05; done
[ "$(partner)" = "10 ms1" ] || fail "the partner zone (down_after 2) kept ms3: $(partner)"
[ "$(targets)" = "10 ms1 20 ms2 30 ms3" ] || fail "down_after 100 from the reload not applied: $(targets)"
sed -i 's/down_after: 100, up_after: 2 }/down_after: 2, up_after: 2 }/' "$WORK/zones/example.com.yaml"
reload_and_wait
took=$(wait_for "10 ms1 20 ms2" 3.0) || fail "down_after 2 from the reload not applied: $(targets)"
start_ms 3 200
wait_for "10 ms1 20 ms2 30 ms3" 3.0 >/dev/null || fail "ms3 not back: $(targets)"
pass "health settings changed by reload: down_after 100 keeps a stopped ms3, back to 2 drops it (${took}s)"

log_mark=$(wc -l <"$WORK/srvd.log")
stop_ms 1; stop_ms 2; stop_ms 3
# Wait until srvd has seen all three go down (log and gauges), so the answer
# below is fail-open and not merely the answer from before any probe failed.
for _ in $(seq 1 60); do
  [ "$(tail -n +"$((log_mark + 1))" "$WORK/srvd.log" | grep -c 'ms[123] (127.0.0.2[123]:5060).* is down')" = 3 ] && break
  sleep 0.05
done
[ "$(tail -n +"$((log_mark + 1))" "$WORK/srvd.log" | grep -c 'ms[123] (127.0.0.2[123]:5060).* is down')" = 3 ] \
  || fail "not all three logged down: $(tail -n +"$((log_mark + 1))" "$WORK/srvd.log")"
for ms in ms1 ms2 ms3; do [ "$(gauge example.com $ms)" = 0 ] || fail "$ms gauge: $(gauge example.com $ms)"; done
[ "$(targets)" = "10 ms1 20 ms2 30 ms3" ] || fail "all down must fail open: $(targets)"
pass "all down: fail-open serves all three"

start_ms 1 200; start_ms 2 503; start_ms 3 200
took=$(wait_for "10 ms1 20 ms3" 3.0) || fail "503 must drain ms2: $(targets)"
metrics=$(curl -sf "http://127.0.0.1:$MPORT/metrics")
echo "$metrics" | has 'srvd_media_server_draining{zone="example.com.",server="ms2"} 1' || fail "draining gauge"
echo "$metrics" | has 'srvd_media_server_up{zone="example.com.",server="ms1"} 1' || fail "up gauge"
pass "503: ms2 drained while others are up (${took}s)"
stop_ms 1; stop_ms 3
took=$(wait_for "10 ms2" 3.0) || fail "a draining server must be kept when nothing better is up: $(targets)"
pass "ms1 and ms3 down: the draining ms2 is served alone"
