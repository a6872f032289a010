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
# Once the flood is being limited (not before: that would prove nothing),
# another client (another /24) is not: all of its queries answered, while
# the flood goes on.
for _ in $(seq 1 50); do
  [ "$(curl -sf "http://127.0.0.1:$MPORT/metrics" | awk '$1=="srvd_rrl_dropped_total"{print $2}')" -gt 0 ] 2>/dev/null && break
  sleep 0.05
done
[ "$(curl -sf "http://127.0.0.1:$MPORT/metrics" | awk '$1=="srvd_rrl_dropped_total"{print $2}')" -gt 0 ] \
  || fail "the flood was not limited within 2.5 s"
for i in $(seq 1 20); do
  kdig @127.0.0.1 -p "$PORT" -b 127.0.2.1 +norec +time=2 +retry=0 www.example.com A | grep -q 'status: NOERROR' \
    || fail "a client of another prefix was limited (query $i)"
done
kill -0 "$flood" 2>/dev/null || fail "the flood ended before the other client's 20 queries: they prove nothing"
wait "$flood" || true
lost=$(awk '/Queries lost:/{print $3}' "$WORK/dnsperf.log")
completed=$(awk '/Queries completed:/{print $3}' "$WORK/dnsperf.log")
[ "${lost:-0}" -gt 200 ] || { cat "$WORK/dnsperf.log"; fail "rate limiting dropped too little: $lost lost"; }
m=$(curl -sf "http://127.0.0.1:$MPORT/metrics")
dropped=$(echo "$m" | awk '$1=="srvd_rrl_dropped_total"{print $2}')
slipped=$(echo "$m" | awk '$1=="srvd_rrl_slipped_total"{print $2}')
# 500 q/s for 3 s at 50/s: at most 200 full answers (4 seconds touched), and
# of the other 1,300 or so half truncated (slip 2) and half dropped.
full=$((completed - slipped))
[ "$full" -le 200 ] || fail "$full full answers at 50/s over 3 s"
[ "${dropped:-0}" -ge 550 ] && [ "${slipped:-0}" -ge 550 ] || fail "counters: dropped $dropped slipped $slipped"
[ $((dropped - slipped)) -le 2 ] && [ $((slipped - dropped)) -le 2 ] || fail "slip 2 is not every other: dropped $dropped slipped $slipped"
[ "$((lost - dropped))" -le 5 ] && [ "$((dropped - lost))" -le 5 ] || fail "dnsperf lost $lost, srvd dropped $dropped"
pass "over 50/s: $completed answered ($slipped of them truncated), $lost dropped; another prefix unaffected"
stop_srvd "$SRVD_PID"

printf 'zones: [zones]\nthreads: 1\nrrl: { responses_per_second: 50, slip: 2, exempt: [127.0.0.0/8] }\n' >"$WORK/exempt.yaml"
start_srvd "$WORK/exempt.yaml"
dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/q.txt" -l 2 -Q 500 -t 3 >"$WORK/dnsperf.log" 2>&1 || true
lost=$(awk '/Queries lost:/{print $3}' "$WORK/dnsperf.log")
[ "$lost" = 0 ] || { cat "$WORK/dnsperf.log"; fail "an exempt prefix lost $lost answers"; }
pass "an exempt prefix is not limited"
stop_srvd "$SRVD_PID"

# Two workers, a client on 16 source ports (the kernel spreads them over both
# workers' sockets): together they allow the rate, not twice it.
printf 'zones: [zones]\nthreads: 2\nrrl: { responses_per_second: 50, slip: 0 }\n' >"$WORK/workers.yaml"
start_srvd "$WORK/workers.yaml"
dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/q.txt" -l 3 -Q 500 -q 2000 -c 16 -t 1 >"$WORK/dnsperf.log" 2>&1 || true
completed=$(awk '/Queries completed:/{print $3}' "$WORK/dnsperf.log")
# At 50/s over 3 s, 4 seconds touched: 200 answers; a few more where two
# workers start a second at the same moment. Per-worker tables gave ~400.
[ "${completed:-999}" -le 215 ] && [ "${completed:-0}" -ge 150 ] ||
  { cat "$WORK/dnsperf.log"; fail "two workers answered $completed at 50/s over 3 s"; }
pass "two workers, 16 source ports: $completed answered at 50/s over 3 s"
stop_srvd "$SRVD_PID"

# Rate limiting follows a reload both ways, and the log says so.
printf 'zones: [zones]\nthreads: 1\n' >"$WORK/reload.yaml"
start_srvd "$WORK/reload.yaml"
perf() { dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/q.txt" -l 2 -Q 200 -q 1000 -t 1 >"$WORK/dnsperf.log" 2>&1 || true
         awk '/Queries lost:/{print $3}' "$WORK/dnsperf.log"; }
[ "$(perf)" = 0 ] || fail "lost answers without rate limiting"
printf 'zones: [zones]\nthreads: 1\nrrl: { responses_per_second: 10, slip: 0 }\n' >"$WORK/reload.yaml"
kill -HUP "$SRVD_PID"
wait_log 'rate limiting now 10 responses/s' || fail "the reload did not apply rrl: $(cat "$WORK/srvd.log")"
lost=$(perf)
completed=$(awk '/Queries completed:/{print $3}' "$WORK/dnsperf.log")
# 200 q/s for 2 s at 10/s with no slip: 30 answered at most (3 seconds touched).
[ "${lost:-0}" -ge 350 ] && [ "${completed:-999}" -le 30 ] ||
  { cat "$WORK/dnsperf.log" "$WORK/srvd.log"; fail "rrl added by reload: $completed answered, $lost dropped"; }
printf 'zones: [zones]\nthreads: 1\n' >"$WORK/reload.yaml"
kill -HUP "$SRVD_PID"
wait_log 'rate limiting now off' || fail "the reload did not turn rrl off: $(cat "$WORK/srvd.log")"
[ "$(perf)" = 0 ] || fail "lost answers after rrl was removed by reload"
pass "rrl added by reload: $completed of 400 answered; removed by reload: all answered"
