#!/usr/bin/env bash
# The real binary on loopback, queried with kdig and dig over UDP and TCP,
# IPv4 and IPv6: the README's tour, checked.
source "$(dirname "$0")/lib.sh"
start_srvd "$SRC/conf/srvd.yaml"

# proxy-b lists ms3, ms2, ms1 at 10, 20, 30, with addresses in additional.
out=$(dig @127.0.0.1 -p "$PORT" _sip._udp.proxy-b.example.com SRV +norec)
echo "$out" | has 'status: NOERROR' || fail "SRV status: $out"
echo "$out" | has 'flags: qr aa;' || fail "SRV flags: $out"
srv=$(echo "$out" | awk '/^;; ANSWER SECTION/{f=1;next} /^$/{f=0} f && $4=="SRV"{print $5, $8}')
[ "$srv" = $'10 ms3.example.com.\n20 ms2.example.com.\n30 ms1.example.com.' ] || fail "SRV order: $srv"
add=$(echo "$out" | awk '/^;; ADDITIONAL SECTION/{f=1;next} /^$/{f=0} f{print $1, $4, $5}')
[ "$add" = $'ms3.example.com. A 127.0.0.13\nms3.example.com. AAAA 2001:db8::13\nms2.example.com. A 127.0.0.12\nms1.example.com. A 127.0.0.11' ] \
  || fail "SRV additional: $add"
pass "dig SRV proxy-b over UDP"

# The same over TCP and over IPv6, with kdig.
tcp=$(q +tcp _sip._udp.proxy-b.example.com SRV | awk '{print $5, $8}')
[ "$tcp" = $'10 ms3.example.com.\n20 ms2.example.com.\n30 ms1.example.com.' ] || fail "TCP: $tcp"
v6=$(kdig @::1 -p "$PORT" +noall +answer _sip._udp.proxy-a.example.com SRV | awk '{print $5, $8}')
[ "$v6" = $'10 ms1.example.com.\n20 ms2.example.com.\n30 ms3.example.com.' ] || fail "IPv6: $v6"
v6tcp=$(kdig @::1 -p "$PORT" +tcp +noall +answer proxy-a.example.com NAPTR | wc -l)
[ "$v6tcp" = 2 ] || fail "IPv6 TCP NAPTR count: $v6tcp"
pass "kdig over TCP, IPv6 UDP and IPv6 TCP"

# NAPTR: one per transport, in order.
naptr=$(q sip.example.com NAPTR | awk '{print $5, $8, $10}')
[ "$naptr" = $'10 "SIP+D2U" _sip._udp.sip.example.com.\n20 "SIP+D2T" _sip._tcp.sip.example.com.\n30 "SIPS+D2T" _sips._tcp.sip.example.com.' ] \
  || fail "NAPTR: $naptr"
pass "NAPTR per transport"

# Negative answers and refusals.
kdig @127.0.0.1 -p "$PORT" nothere.example.com A | grep -q 'status: NXDOMAIN' || fail "NXDOMAIN"
kdig @127.0.0.1 -p "$PORT" _udp.proxy-a.example.com SRV | grep -q 'status: NOERROR' || fail "ENT"
kdig @127.0.0.1 -p "$PORT" www.example.org A | grep -q 'status: REFUSED' || fail "REFUSED"
kdig @127.0.0.1 -p "$PORT" +edns=1 www.example.com A | grep -q 'status: BADVERS' || fail "BADVERS"
pass "NXDOMAIN, NODATA at an empty non-terminal, REFUSED, BADVERS"

# Letter case echoed.
dig @127.0.0.1 -p "$PORT" +noall +question PrOxY-A.ExAmPlE.CoM NAPTR | grep -q 'PrOxY-A.ExAmPlE.CoM' \
  || fail "case not echoed"
pass "question case echoed"

# SIGTERM stops it cleanly.
stop_srvd "$SRVD_PID" || fail "SIGTERM did not stop srvd with status 0"
grep -q stopped "$WORK/srvd.log" || fail "no 'stopped' in the log"
pass "SIGTERM stops gracefully"

# SIGINT (Ctrl-C) while answering a steady stream of queries, UDP and TCP:
# a clean stop, exit 0, and every answer before it was NOERROR.
start_srvd "$SRC/conf/srvd.yaml"
printf '_sip._udp.proxy-a.example.com SRV\nproxy-b.example.com NAPTR\n' >"$WORK/q.txt"
dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/q.txt" -l 4 -Q 2000 >"$WORK/dnsperf.log" 2>&1 &
perf=$!
# Each TCP answer's status is kept: one that fails to connect (the server
# stopped) says nothing, one that answers must say NOERROR.
(for _ in $(seq 1 100); do
  kdig @127.0.0.1 -p "$PORT" +tcp +time=1 +retry=0 www.example.com A 2>/dev/null | awk '/status:/ {print $6}' || true
done) >"$WORK/tcp-status.txt" &
tcp_load=$!
sleep 1
stop_srvd "$SRVD_PID" INT || fail "SIGINT while answering: not a clean stop"
grep -q stopped "$WORK/srvd.log" || fail "no 'stopped' after SIGINT"
wait "$perf" || true; kill "$tcp_load" 2>/dev/null || true; wait "$tcp_load" 2>/dev/null || true
codes=$(grep 'Response codes:' "$WORK/dnsperf.log")
echo "$codes" | has 'NOERROR' && ! echo "$codes" | grep -Eq 'SERVFAIL|REFUSED|FORMERR' \
  || fail "answers before SIGINT: $codes"
grep -q '^NOERROR;$' "$WORK/tcp-status.txt" || fail "no TCP query answered before SIGINT: $(cat "$WORK/tcp-status.txt")"
grep -v '^NOERROR;$' "$WORK/tcp-status.txt" | grep -q . && fail "TCP answers before SIGINT: $(sort "$WORK/tcp-status.txt" | uniq -c)"
pass "SIGINT under load (dnsperf + TCP): stopped cleanly, exit 0; $(echo "$codes" | sed 's/.*codes: *//')"

# A NOTIFY still retrying (to a secondary that is not there) does not hold up
# a stop: its retries would otherwise run for minutes.
mkdir -p "$WORK/n/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/n/zones/"
printf 'zones: [zones]\ntransfer: { notify: [{ address: "127.0.0.1:%s" }], notify_retries: 8, notify_timeout: 10s }\n' "$(free_port)" \
  >"$WORK/n/srvd.yaml"
start_srvd "$WORK/n/srvd.yaml"
sleep 0.3
kill -TERM "$SRVD_PID"
# The first attempt alone waits 10 s: stopping within 3 s shows it was abandoned
# (with a margin for a loaded or sanitizer build).
for _ in $(seq 1 30); do kill -0 "$SRVD_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SRVD_PID" 2>/dev/null && { kill -KILL "$SRVD_PID"; fail "still running 3 s after SIGTERM with a NOTIFY retrying"; }
pass "SIGTERM with a NOTIFY still retrying: stopped within 3 s (the NOTIFY's first timeout is 10 s)"

# Logs: on a terminal or in a file, ISO 8601 UTC timestamps and the severity
# word; the start-up notice, then each zone with its serial and health checks,
# then GeoIP. Under journald (JOURNAL_STREAM naming stderr) <N> priorities and
# no timestamps of our own.
mkdir -p "$WORK/l/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/l/zones/"
printf 'zones: [zones]\ngeoip: { database: %s/zones/geo/demo-city.mmdb }\n' "$SRC" >"$WORK/l/srvd.yaml"
start_srvd "$WORK/l/srvd.yaml"
stop_srvd "$SRVD_PID"
ts='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
grep -Eq "$ts notice: srvd .* serving 1 zone\(s\)" "$WORK/srvd.log" || fail "no timestamped start-up notice: $(cat "$WORK/srvd.log")"
grep -Eq "$ts info: zone example.com. serial [0-9]+, 3 media server\(s\), 3 proxies, no health checks$" "$WORK/srvd.log" ||
  fail "no zone line with its serial: $(cat "$WORK/srvd.log")"
grep -Eq "$ts info: geoip .*demo-city.mmdb, ECS on$" "$WORK/srvd.log" || fail "no geoip line: $(cat "$WORK/srvd.log")"
grep -Eq "$ts notice: stopped$" "$WORK/srvd.log" || fail "no timestamped stop: $(cat "$WORK/srvd.log")"
grep -Ev "$ts (debug|info|notice|warning|error): " "$WORK/srvd.log" && fail "a line without timestamp and severity"
PORT=$(free_port)
: >"$WORK/journal.log"
(
  exec 2>>"$WORK/journal.log"
  JOURNAL_STREAM=$(stat -c '%d:%i' "$WORK/journal.log") exec "$SRVD" serve -c "$WORK/l/srvd.yaml" --allow-root --listen "127.0.0.1:$PORT"
) &
SRVD_PID=$!
SRVD_PIDS+=("$SRVD_PID")
wait_for_dns "$PORT" || fail "srvd under a journal stream did not start: $(cat "$WORK/journal.log")"
stop_srvd "$SRVD_PID"
grep -q '^<5>notice: srvd .* serving 1 zone(s)' "$WORK/journal.log" || fail "no <5> start-up line: $(cat "$WORK/journal.log")"
grep -q '^<6>zone example.com. serial' "$WORK/journal.log" || fail "no <6> zone line: $(cat "$WORK/journal.log")"
grep -Eq "$ts" "$WORK/journal.log" && fail "timestamps under journald: $(cat "$WORK/journal.log")"
pass "logs: timestamps and severity words in a file, <N> priorities under journald; zones with serials at start"
