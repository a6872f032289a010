#!/usr/bin/env bash
# /metrics scraped with curl: the counters match the queries sent.
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl is not installed (scripts/install-deps.sh installs it)"
mkdir -p "$WORK/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
MPORT=$(free_port)
cat >"$WORK/srvd.yaml" <<CONF
zones: [zones]
geoip: { database: $SRC/zones/geo/demo-city.mmdb }
metrics: { listen: "127.0.0.1:$MPORT" }
CONF
start_srvd "$WORK/srvd.yaml"
base=$(curl -sf "http://127.0.0.1:$MPORT/metrics") || fail "no /metrics"
# start_srvd's readiness probes count too: read the baseline, then diff.
metric() { echo "$1" | awk -v k="$2" '$1 == k {print $2}'; }
delta() { echo $(( $(metric "$now" "$1") - $(metric "$base" "$1") )); }

for _ in 1 2 3 4 5; do q -b 127.0.1.1 _sip._udp.sip.example.com SRV >/dev/null; done
for _ in 1 2 3; do q +tcp proxy-a.example.com NAPTR >/dev/null; done
for _ in 1 2; do q nothere.example.com A >/dev/null; done
q www.example.org A >/dev/null
now=$(curl -sf "http://127.0.0.1:$MPORT/metrics") || fail "no /metrics"

[ "$(delta 'srvd_queries_total{transport="udp",qtype="SRV"}')" = 5 ] || fail "udp SRV count: $now"
[ "$(delta 'srvd_queries_total{transport="tcp",qtype="NAPTR"}')" = 3 ] || fail "tcp NAPTR count"
[ "$(delta 'srvd_answers_total{transport="udp",rcode="NXDOMAIN"}')" = 2 ] || fail "NXDOMAIN count"
[ "$(delta 'srvd_answers_total{transport="udp",rcode="REFUSED"}')" = 1 ] || fail "REFUSED count"
[ "$(delta 'srvd_answers_total{transport="udp",rcode="NOERROR"}')" = 5 ] || fail "udp NOERROR count"
[ "$(delta 'srvd_region_answers_total{zone="example.com.",region="west"}')" = 5 ] || fail "west region count"
[ "$(delta 'srvd_geoip_lookups_total')" = 5 ] || fail "geoip lookups"
[ "$(delta 'srvd_answer_duration_seconds_count')" = 11 ] || fail "latency histogram count"
[ "$(metric "$now" 'srvd_media_server_up{zone="example.com.",server="ms3"}')" = 1 ] || fail "media server gauge"
pass "query, answer, region and latency counters match what was sent"

kill -HUP "$SRVD_PID"
wait_log reloaded || true
echo "broken: [" >>"$WORK/zones/example.com.yaml"
kill -HUP "$SRVD_PID"
wait_log 'reload failed' || true
now=$(curl -sf "http://127.0.0.1:$MPORT/metrics")
[ "$(metric "$now" 'srvd_reloads_total{result="success"}')" = 1 ] || fail "reload success count"
[ "$(metric "$now" 'srvd_reloads_total{result="failure"}')" = 1 ] || fail "reload failure count"
curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/other" | grep -q 404 || fail "unknown path must be 404"
pass "reload counters; unknown paths get 404"
