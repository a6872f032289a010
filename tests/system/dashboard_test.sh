#!/usr/bin/env bash
# conf/grafana/srvd.json against a running srvd: every metric its PromQL uses
# is one srvd exports (with health checks, a drain and a reload, so that every
# family has samples), and the check fails on a name srvd does not have.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/zones"
sed 's/^records:/health: { probe: tcp-connect, interval: 300ms, timeout: 200ms }\nrecords:/' \
  "$SRC/zones/example.com.yaml" >"$WORK/zones/example.com.yaml"
MPORT=$(free_port)
printf 'zones: [zones]\nstate_dir: state\ncontrol: { socket: ctl.sock }\nmetrics: { listen: "127.0.0.1:%s" }\n' "$MPORT" >"$WORK/srvd.yaml"
start_srvd "$WORK/srvd.yaml"
"$SRVD" ctl -c "$WORK/srvd.yaml" drain ms1 >/dev/null || fail "drain"
q www.example.com A >/dev/null
sleep 0.5
curl -sf "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics.txt" || fail "no /metrics"
out=$(python3 "$SRC/scripts/check-dashboard.py" "$SRC/conf/grafana/srvd.json" "$WORK/metrics.txt") || fail "$out"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$SRC/conf/grafana/srvd.json" || fail "not JSON"
sed 's/srvd_zone_serial/srvd_zone_serials/' "$SRC/conf/grafana/srvd.json" >"$WORK/drifted.json"
python3 "$SRC/scripts/check-dashboard.py" "$WORK/drifted.json" "$WORK/metrics.txt" >"$WORK/drift.log" && fail "a renamed metric was not caught"
grep -q 'srvd_zone_serials is not exported' "$WORK/drift.log" || fail "drift message: $(cat "$WORK/drift.log")"
# srvd(8) lists every metric the server exports.
missing=$(awk '$1=="#" && $2=="TYPE"{print $3}' "$WORK/metrics.txt" | while read -r m; do
  grep -q "$m" "$SRC/man/srvd.8" || echo "$m"; done)
[ -z "$missing" ] || fail "metrics missing from man/srvd.8: $missing"
stop_srvd "$SRVD_PID"
pass "$out; a renamed metric is caught; srvd(8) lists all $(grep -c '^# TYPE' "$WORK/metrics.txt") metrics"
