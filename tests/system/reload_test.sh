#!/usr/bin/env bash
# SIGHUP: a changed policy is served after reload; a broken one is reported
# with file:line:column and the previous policy keeps answering.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
printf 'listen: ["127.0.0.1:5300"]\nzones: [zones]\n' >"$WORK/srvd.yaml"
start_srvd "$WORK/srvd.yaml"

first() { q _sip._udp.proxy-a.example.com SRV | awk '$5 == 10 {print $8}'; }
[ "$(first)" = ms1.example.com. ] || fail "before reload: $(first)"

sed -i 's/targets: \[ms1, ms2, ms3\]/targets: [ms2, ms3, ms1]/' "$WORK/zones/example.com.yaml"
kill -HUP "$SRVD_PID"
for _ in $(seq 1 50); do [ "$(first)" = ms2.example.com. ] && break; sleep 0.1; done
[ "$(first)" = ms2.example.com. ] || fail "after reload: $(first)"
grep -q 'reloaded' "$WORK/srvd.log" || fail "no 'reloaded' in the log"
pass "SIGHUP serves the changed policy"

sed -i 's/targets: \[ms2, ms3, ms1\]/targets: [ms2, ms9, ms1]/' "$WORK/zones/example.com.yaml"
kill -HUP "$SRVD_PID"
wait_log 'reload failed' || true
grep -q "reload failed.*$WORK/zones/example.com.yaml:[0-9]*:[0-9]*: unknown media server 'ms9'" "$WORK/srvd.log" \
  || { cat "$WORK/srvd.log"; fail "the failed reload is not reported with file:line:column"; }
[ "$(first)" = ms2.example.com. ] || fail "old policy not kept: $(first)"
kill -0 "$SRVD_PID" || fail "srvd died on a broken reload"
pass "a broken policy keeps the previous one serving"

# Under load: dnsperf at a bounded rate for 6 s while the policy is reloaded
# six times, alternating two orderings. No query may be lost, and the last
# policy is what answers.
sed 's/targets: \[ms2, ms9, ms1\]/targets: [ms1, ms2, ms3]/' "$WORK/zones/example.com.yaml" >"$WORK/policy-a.yaml"
sed 's/targets: \[ms2, ms9, ms1\]/targets: [ms3, ms1, ms2]/' "$WORK/zones/example.com.yaml" >"$WORK/policy-b.yaml"
cp "$WORK/policy-a.yaml" "$WORK/zones/example.com.yaml"
kill -HUP "$SRVD_PID"
for _ in $(seq 1 50); do [ "$(first)" = ms1.example.com. ] && break; sleep 0.1; done
printf '_sip._udp.proxy-a.example.com SRV\nproxy-a.example.com NAPTR\nwww.example.com A\n' >"$WORK/queries.txt"
dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/queries.txt" -l 6 -Q 4000 -c 4 >"$WORK/dnsperf.log" 2>&1 &
perf_pid=$!
for i in 1 2 3 4 5 6; do
  sleep 0.8
  if [ $((i % 2)) = 1 ]; then cp "$WORK/policy-b.yaml" "$WORK/zones/example.com.yaml"; else cp "$WORK/policy-a.yaml" "$WORK/zones/example.com.yaml"; fi
  kill -HUP "$SRVD_PID"
done
wait "$perf_pid" || { cat "$WORK/dnsperf.log"; fail "dnsperf failed"; }
completed=$(awk '/Queries completed:/{print $3}' "$WORK/dnsperf.log")
lost=$(awk '/Queries lost:/{print $3}' "$WORK/dnsperf.log")
[ "$lost" = 0 ] || { cat "$WORK/dnsperf.log"; fail "$lost queries lost during reloads"; }
[ "${completed:-0}" -gt 10000 ] || fail "too few queries completed: $completed"
# Every answer NOERROR: a swap that served SERVFAIL or REFUSED for a moment
# would lose nothing by dnsperf's count and still break phones.
noerror=$(awk '/Response codes:/{for (i = 3; i <= NF; i += 3) if ($i == "NOERROR") print $(i+1)}' "$WORK/dnsperf.log")
codes=$(grep 'Response codes:' "$WORK/dnsperf.log")
[ "$noerror" = "$completed" ] || fail "not every answer during reloads was NOERROR: $codes"
[ "$(grep -c 'reloaded: ' "$WORK/srvd.log")" -ge 8 ] || fail "reloads not logged"
[ "$(first)" = ms1.example.com. ] || fail "the last policy (a) is not what answers: $(first)"
pass "$completed queries under 6 reloads, $lost lost; the last policy answers"

echo "broken: [" >>"$WORK/zones/example.com.yaml"
failed=$(grep -c 'reload failed' "$WORK/srvd.log")
kill -HUP "$SRVD_PID"
wait_log 'reload failed' $((failed + 1)) || fail "the broken policy's reload was not logged as failed"
[ "$(first)" = ms1.example.com. ] || fail "a broken policy must keep the previous one"
pass "after a broken policy, still answering with the previous one"

# More ways a reload can fail, each reported, each keeping what is served:
# reload_fails WHAT PATTERN: SIGHUP, then a "reload failed" line matching PATTERN.
reload_fails() {
  local failed
  failed=$(grep -c 'reload failed' "$WORK/srvd.log" || true)
  kill -HUP "$SRVD_PID"
  wait_log 'reload failed' $((failed + 1)) || fail "$1: the reload did not fail: $(tail -3 "$WORK/srvd.log")"
  tail -n 1 "$WORK/srvd.log" | grep -q -- "$2" || fail "$1: expected '$2' in: $(tail -n 1 "$WORK/srvd.log")"
  [ "$(first)" = ms1.example.com. ] || fail "$1: the previous policy is not served: $(first)"
  pass "reload with $1: reported ($(tail -n 1 "$WORK/srvd.log" | sed 's/.*configuration: //' | cut -c1-90)), previous policy kept"
}
cp "$WORK/policy-a.yaml" "$WORK/zones/example.com.yaml"
mkdir -p "$WORK/shared" "$WORK/geo"
cp "$SRC/zones/geo/demo-city.mmdb" "$WORK/geo/db.mmdb"

# A GeoIP database that cannot be read (replaced by something that is not one).
printf 'listen: ["127.0.0.1:5300"]\nzones: [zones]\ngeoip: { database: geo/db.mmdb }\n' >"$WORK/srvd.yaml"
kill -HUP "$SRVD_PID"
wait_log 'reloaded: .*' 9 || fail "reload with a GeoIP database"
echo "not a MaxMind database" >"$WORK/geo/db.mmdb"
reload_fails "an unreadable GeoIP database" "geo/db.mmdb"
cp "$SRC/zones/geo/demo-city.mmdb" "$WORK/geo/db.mmdb"

# A state_dir that cannot be written (a file stands where its directory would).
touch "$WORK/notadir"
printf 'listen: ["127.0.0.1:5300"]\nzones: [zones]\nstate_dir: notadir/state\n' >"$WORK/srvd.yaml"
sed -i 's/serial: 2026112601/serial: auto/' "$WORK/zones/example.com.yaml"
reload_fails "an unwritable state_dir" "state"
printf 'listen: ["127.0.0.1:5300"]\nzones: [zones]\n' >"$WORK/srvd.yaml"
cp "$WORK/policy-a.yaml" "$WORK/zones/example.com.yaml"

# A broken include: the error names the included file, line and column.
printf 'ports: { udp: 5060\n' >"$WORK/shared/platform.yaml"
sed -i 's/^ports: .*$/include: ..\/shared\/platform.yaml/' "$WORK/zones/example.com.yaml"
reload_fails "a broken include" "$WORK/shared/platform.yaml:[0-9]*:[0-9]*"
