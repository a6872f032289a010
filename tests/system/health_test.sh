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
printf 'zones: [zones]\nmetrics: { listen: "127.0.0.1:%s" }\n' "$MPORT" >"$WORK/srvd.yaml"

declare -A SIPP
start_ms() { # start_ms N CODE
  sipp -sf "$(dirname "$0")/sipp/options-$2.xml" -i "127.0.0.2$1" -p 5060 -nostdin -trace_err \
    -error_file "$WORK/sipp-$1.err" >/dev/null 2>&1 &
  SIPP[$1]=$!
  PIDS+=("${SIPP[$1]}")
  wait_udp_listening "127.0.0.2$1" 5060 || fail "media server $1 (SIPp) did not start"
}
stop_ms() { kill "${SIPP[$1]}" 2>/dev/null || true; wait "${SIPP[$1]}" 2>/dev/null || true; }

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
start_srvd "$WORK/srvd.yaml"
[ "$(targets)" = "10 ms1 20 ms2 30 ms3" ] || fail "all up: $(targets)"
sleep 1
[ "$(targets)" = "10 ms1 20 ms2 30 ms3" ] || fail "still all up after probing: $(targets)"
pass "all three answer OPTIONS: all three in the answer"

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
tail -n +"$((log_mark + 1))" "$WORK/srvd.log" | grep -q 'health: answers of 2 zone(s) rebuilt' \
  || fail "ms1 going down should rebuild its two zones, not other.example: $(grep 'rebuilt' "$WORK/srvd.log")"
pass "the partner zone sharing ms1 follows the same probe (one probe, both zones rebuilt, not a third)"
[ "$(q p.example.com A | awk '{print $5}')" = 192.0.2.22 ] || fail "proxy A must follow the first remaining tier"
q p.example.com NAPTR >/dev/null
kdig @127.0.0.1 -p "$PORT" +norec p.example.com NAPTR | grep -q '192.0.2.21' && fail "ms1 still in the NAPTR additional section"
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

stop_ms 1; stop_ms 2; stop_ms 3
sleep 1.5
[ "$(targets)" = "10 ms1 20 ms2 30 ms3" ] || fail "all down must fail open: $(targets)"
grep -q 'ms3 (127.0.0.23:5060).* is down' "$WORK/srvd.log" || fail "no log line for ms3 going down"
pass "all down: fail-open serves all three"

start_ms 1 200; start_ms 2 503; start_ms 3 200
took=$(wait_for "10 ms1 20 ms3" 3.0) || fail "503 must drain ms2: $(targets)"
metrics=$(curl -sf "http://127.0.0.1:$MPORT/metrics")
echo "$metrics" | grep -q 'srvd_media_server_draining{zone="example.com.",server="ms2"} 1' || fail "draining gauge"
echo "$metrics" | grep -q 'srvd_media_server_up{zone="example.com.",server="ms1"} 1' || fail "up gauge"
pass "503: ms2 drained while others are up (${took}s)"
stop_ms 1; stop_ms 3
took=$(wait_for "10 ms2" 3.0) || fail "a draining server must be kept when nothing better is up: $(targets)"
pass "ms1 and ms3 down: the draining ms2 is served alone"
