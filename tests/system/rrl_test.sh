#!/usr/bin/env bash
# Response rate limiting: a client over the rate loses answers (some come back
# truncated); an exempt prefix is never limited; counters show both.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
MPORT=$(free_port)
printf 'zones: [zones]\nthreads: 1\nrrl: { responses_per_second: 50, slip: 2 }\nmetrics: { listen: "127.0.0.1:%s" }\n' \
  "$MPORT" >"$WORK/srvd.yaml"
start_srvd "$WORK/srvd.yaml"
printf 'www.example.com A\n' >"$WORK/q.txt"
dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/q.txt" -l 3 -Q 500 -q 2000 -t 1 >"$WORK/dnsperf.log" 2>&1 &
flood=$!
sleep 1
# Meanwhile another client (another /24) is not limited: all of its queries answered.
for i in $(seq 1 20); do
  kdig @127.0.0.1 -p "$PORT" -b 127.0.2.1 +norec +time=2 +retry=0 www.example.com A | grep -q 'status: NOERROR' \
    || fail "a client of another prefix was limited (query $i)"
done
wait "$flood" || true
lost=$(awk '/Queries lost:/{print $3}' "$WORK/dnsperf.log")
completed=$(awk '/Queries completed:/{print $3}' "$WORK/dnsperf.log")
[ "${lost:-0}" -gt 200 ] || { cat "$WORK/dnsperf.log"; fail "rate limiting dropped too little: $lost lost"; }
m=$(curl -sf "http://127.0.0.1:$MPORT/metrics")
dropped=$(echo "$m" | awk '$1=="srvd_rrl_dropped_total"{print $2}')
slipped=$(echo "$m" | awk '$1=="srvd_rrl_slipped_total"{print $2}')
[ "${dropped:-0}" -gt 200 ] && [ "${slipped:-0}" -gt 200 ] || fail "counters: dropped $dropped slipped $slipped"
# 500 q/s for 3 s at 50/s: about 150 full answers plus half the rest truncated.
pass "over 50/s: $completed answered ($slipped of them truncated), $lost dropped; another prefix unaffected"
kill "$SRVD_PID"; wait "$SRVD_PID" 2>/dev/null || true

printf 'zones: [zones]\nthreads: 1\nrrl: { responses_per_second: 50, slip: 2, exempt: [127.0.0.0/8] }\n' >"$WORK/exempt.yaml"
start_srvd "$WORK/exempt.yaml"
dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/q.txt" -l 2 -Q 500 -t 3 >"$WORK/dnsperf.log" 2>&1 || true
lost=$(awk '/Queries lost:/{print $3}' "$WORK/dnsperf.log")
[ "$lost" = 0 ] || { cat "$WORK/dnsperf.log"; fail "an exempt prefix lost $lost answers"; }
pass "an exempt prefix is not limited"
