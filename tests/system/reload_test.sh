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
for _ in $(seq 1 50); do grep -q 'reload failed' "$WORK/srvd.log" && break; sleep 0.1; done
grep -q "reload failed.*$WORK/zones/example.com.yaml:[0-9]*:[0-9]*: unknown media server 'ms9'" "$WORK/srvd.log" \
  || { cat "$WORK/srvd.log"; fail "the failed reload is not reported with file:line:column"; }
[ "$(first)" = ms2.example.com. ] || fail "old policy not kept: $(first)"
kill -0 "$SRVD_PID" || fail "srvd died on a broken reload"
pass "a broken policy keeps the previous one serving"
