#!/usr/bin/env bash
# `srvd check` as an operator runs it: a summary and exit 0 on the example,
# file:line:column and exit 1 on broken policies.
source "$(dirname "$0")/lib.sh"

out=$("$SRVD" check -c "$SRC/conf/srvd.yaml") || fail "check fails on the example: $out"
echo "$out" | has 'zone example.com.' || fail "no zone in the summary: $out"
echo "$out" | has '3 proxies: proxy-a proxy-b sip(geo)' || fail "proxies missing: $out"
echo "$out" | has '^  rrl: 200 answers/s per /24 and /56, slip 2$' || fail "the example leaves rate limiting off: $out"
echo "$out" | has '^  health: no checks: a dead media server stays in answers until drained' || fail "no health line: $out"
# With health checks, what a dead server costs: detection, then caches.
mkdir -p "$WORK/hc/zones"
{ cat "$SRC/zones/example.com.yaml"; echo "health: { probe: sip-options, interval: 1s, timeout: 500ms, down_after: 3 }"; } \
  >"$WORK/hc/zones/example.com.yaml"
printf 'zones: [zones]\nstate_dir: state\n' >"$WORK/hc/srvd.yaml"
out=$("$SRVD" check -c "$WORK/hc/srvd.yaml") || fail "check with health: $out"
# proxy-a and proxy-b take answer_ttl (10 s); sip keeps its own ttl: 60.
echo "$out" | has '^  health: sip-options over udp every 1000 ms, down after 3: a dead media server leaves answers within 3500 ms, and caches hold it up to 60 s more (the proxies. TTL; answer_ttl 10): worst-case DNS convergence 63.5 s$' \
  || fail "what a dead server costs: $out"
# converge_within: a warning past it, with what to lower.
sed -i 's/down_after: 3 }/down_after: 3, converge_within: 30s }/' "$WORK/hc/zones/example.com.yaml"
out=$("$SRVD" check -c "$WORK/hc/srvd.yaml" 2>&1) || fail "check with converge_within: $out"
echo "$out" | has 'zone example.com.: worst-case DNS convergence 63500 ms .* exceeds health.converge_within 30000 ms: lower answer_ttl' \
  || fail "no convergence warning: $out"
echo "$out" | has 'worst-case DNS convergence 63.5 s (converge_within 30.0 s)$' || fail "converge_within not shown: $out"
pass "check summarises the example and what a dead media server costs each zone; rate limiting is on in it"

# Many zones: totals that fit a screen, and any zone in detail on request.
mkdir -p "$WORK/many/zones"
for i in 1 2 3 4 5 6 7; do
  sed "s/^zone: example.com/zone: p$i.example.com/" "$SRC/zones/example.com.yaml" >"$WORK/many/zones/p$i.yaml"
done
printf 'zones: [zones]\n' >"$WORK/many/srvd.yaml"
out=$("$SRVD" check -c "$WORK/many/srvd.yaml") || fail "check fails on seven zones: $out"
echo "$out" | has '^7 zones: p1.example.com. ' || fail "no zone total: $out"
echo "$out" | has '21 proxies (7 GeoIP-aware)' || fail "no proxy total: $out"
[ "$(echo "$out" | wc -l)" -le 8 ] || fail "seven zones should fit a few lines: $out"
out=$("$SRVD" check -c "$WORK/many/srvd.yaml" p6.example.com) || fail "check ZONE: $out"
echo "$out" | has '^zone p6.example.com. ' && ! echo "$out" | has 'zone p5' || fail "check ZONE: $out"
out=$("$SRVD" check -c "$WORK/many/srvd.yaml" nope.example.com 2>&1) && fail "an unknown ZONE must fail"
echo "$out" | has 'no zone nope.example.com' || fail "an unknown ZONE must be named: $out"
pass "check with seven zones: totals on a screen, one zone in detail with check ZONE"

mkdir -p "$WORK/zones"
cat >"$WORK/srvd.yaml" <<CONF
listen: ["127.0.0.1:5300"]
zones: [zones]
CONF
expect_error() { # expect_error WHAT EXPECTED_SUFFIX (policy in $WORK/zones/z.yaml)
  local out rc=0
  out=$("$SRVD" check -c "$WORK/srvd.yaml" 2>&1) || rc=$?
  [ "$rc" = 1 ] || fail "$1: exit $rc, expected 1 ($out)"
  case "$out" in
    "$WORK/zones/z.yaml:$2"*) pass "$1" ;;
    *) fail "$1: got '$out', expected '$WORK/zones/z.yaml:$2...'" ;;
  esac
}

cat >"$WORK/zones/z.yaml" <<'Z'
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
media_servers:
  ms1: { addresses: [192.0.2.11] }
proxies:
  p: { targets: [ms1, ms7] }
Z
expect_error "unknown media server" "7:23: unknown media server 'ms7' in targets"

sed -i 's/ms1, ms7/ms1/' "$WORK/zones/z.yaml"
printf 'records:\n  - "www IN AAAA 192.0.2.1"\n' >>"$WORK/zones/z.yaml"
expect_error "record that does not parse" "9:5: record does not parse"

printf 'zone: example.com\nsoa: { primary: a, contact: b, serial: 1 }\nnameservers: { ns1: [192.0.2.1] }\nttl: 1\nserial: 2\n' \
  >"$WORK/zones/z.yaml"
expect_error "unknown key" "5:1: unknown key 'serial' in zone policy"

# Records that collide with what srvd generates (the proxy's NAPTR/SRV/A and
# the media servers' addresses) are errors naming the record and the owner.
collides() { # collides WHAT RECORD EXPECTED
  cat >"$WORK/zones/z.yaml" <<Z
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
media_servers:
  ms1: { addresses: [192.0.2.11] }
proxies:
  proxy-a: { targets: [ms1] }
records:
  - "www IN TXT \"fine beside generated names\""
  - "$2"
Z
  expect_error "$1" "10:5: $3"
}
collides "NS at a proxy" "proxy-a IN NS ns.other.org." \
  "'proxy-a.example.com.' is generated for proxy 'proxy-a'"
collides "SRV at a proxy's SRV name" "_sip._udp.proxy-a IN SRV 10 0 5060 other.example.org." \
  "'_sip._udp.proxy-a.example.com.' is generated for proxy 'proxy-a'"
collides "NAPTR at a proxy" "proxy-a IN NAPTR 5 10 \\\"S\\\" \\\"SIP+D2U\\\" \\\"\\\" _sip._udp.other.org." \
  "'proxy-a.example.com.' is generated for proxy 'proxy-a'"
collides "an address at a media server" "ms1 IN A 192.0.2.99" \
  "'ms1.example.com.' is generated for media server 'ms1'"
cat >"$WORK/zones/z.yaml" <<'Z'
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
media_servers:
  ms1: { addresses: [192.0.2.11] }
proxies:
  sip.east: { targets: [ms1] }
records:
  - "east IN NS ns.other.org."
Z
expect_error "NS above a proxy" "9:5: an NS record at 'east.example.com.' would delegate 'sip.east.example.com.', generated for proxy 'sip.east'"

# Every command explains itself: COMMAND --help and help COMMAND, exit 0.
for c in serve check export explain; do
  out=$("$SRVD" "$c" --help) || fail "$c --help: exit $?"
  echo "$out" | has "^usage: srvd $c " || fail "$c --help: $out"
  echo "$out" | has '^example: srvd ' || fail "$c --help has no example: $out"
  [ "$("$SRVD" help "$c")" = "$out" ] || fail "help $c differs from $c --help"
done
"$SRVD" help nope >/dev/null 2>&1 && fail "help for an unknown command must fail"
pass "serve, check, export and explain each print their usage with --help and help COMMAND"
out=$("$SRVD" export -c "$SRC/conf/srvd.yaml" example.com --region north 2>&1) && fail "export of an unknown region must fail"
echo "$out" | has 'has no region north (its regions: east, west, central)' || fail "export --region north: $out"
pass "export --region with an unknown region lists the zone's regions"

# Warnings for what loads but bites later: printed by check (exit 0), logged
# by serve at warning level.
out=$("$SRVD" check -c "$SRC/conf/srvd.yaml" 2>&1 >/dev/null)
[ -z "$out" ] || fail "the example configuration draws warnings: $out"
mkdir -p "$WORK/warn/zones" "$WORK/warn/empty"
sed 's/serial: 2026112601/serial: auto/' "$SRC/zones/example.com.yaml" >"$WORK/warn/zones/example.com.yaml"
printf 'listen: ["192.0.2.99:53"]\nzones: [zones]\n' >"$WORK/warn/srvd.yaml"
err=$("$SRVD" check -c "$WORK/warn/srvd.yaml" 2>&1 >/dev/null) || fail "warnings must not fail check: $err"
echo "$err" | has "warning: .*zone example.com. has regions but .* has no \`geoip:\` database: every client gets the default region 'central'" \
  || fail "no warning for regions without geoip: $err"
echo "$err" | has "warning: .*zone example.com. has \`serial: auto\` but .* sets no \`state_dir:\`: its serials are kept in /var/lib/srvd" \
  || fail "no warning for serial: auto without state_dir: $err"
echo "$err" | has "warning: .*listen 192.0.2.99:53 is not an address of this host" \
  || fail "no warning for a listen address this host lacks: $err"
printf 'zones: [empty]\n' >"$WORK/warn/none.yaml"
err=$("$SRVD" check -c "$WORK/warn/none.yaml" 2>&1 >/dev/null) || fail "check with no zones: $err"
echo "$err" | has 'warning: .*no zones: every query will be answered REFUSED' || fail "no warning for no zones: $err"
pass "check warns: regions without geoip, serial: auto without state_dir, a listen address not on this host, no zones"
PORT=$(free_port)
"$SRVD" serve -c "$WORK/warn/none.yaml" --allow-root --listen "127.0.0.1:$PORT" >"$WORK/srvd.log" 2>&1 &
SRVD_PIDS+=($!)
wait_for_dns "$PORT" || fail "serve with no zones did not start: $(cat "$WORK/srvd.log")"
wait_log 'no zones: every query' || fail "serve does not log the warning: $(cat "$WORK/srvd.log")"
grep -q 'Z warning: .*no zones' "$WORK/srvd.log" || fail "not at warning level: $(cat "$WORK/srvd.log")"
pass "serve logs the same warnings at warning level"

# A relative owner that already ends with the zone name: check names its line.
mkdir -p "$WORK/rel/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/rel/zones/"
printf '  - "www2.example.com 300 IN A 192.0.2.81"\n  - "example.com 300 IN TXT \\"x\\""\n' >>"$WORK/rel/zones/example.com.yaml"
printf 'zones: [zones]\n' >"$WORK/rel/srvd.yaml"
line=$(grep -n 'www2.example.com' "$WORK/rel/zones/example.com.yaml" | cut -d: -f1)
err=$("$SRVD" check -c "$WORK/rel/srvd.yaml" 2>&1 >/dev/null) || fail "check: $err"
echo "$err" | has "warning: $WORK/rel/zones/example.com.yaml:$line:[0-9]*: owner 'www2.example.com' has no final dot, so it means www2.example.com.example.com.; write it relative ('www2') or absolute ('www2.example.com.')" \
  || fail "no warning for a relative owner ending with the zone name: $err"
echo "$err" | has "owner 'example.com' has no final dot, so it means example.com.example.com.; write it relative ('@')" \
  || fail "no warning for the zone name as a relative owner: $err"
pass "check warns about relative owners that repeat the zone name, with file:line:column"

# Started as root with `user:`, check looks at the files as that user: a
# policy it cannot read would fail every reload.
mkdir -p "$WORK/perm/zones"
chmod 755 "$WORK" "$WORK/perm" "$WORK/perm/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/perm/zones/"
printf 'zones: [zones]\nuser: nobody\n' >"$WORK/perm/srvd.yaml"
chmod 644 "$WORK/perm/srvd.yaml"
chmod 600 "$WORK/perm/zones/example.com.yaml"
err=$("$SRVD" check -c "$WORK/perm/srvd.yaml" 2>&1 >/dev/null) || fail "check: $err"
echo "$err" | has "warning: $WORK/perm/srvd.yaml: user nobody cannot read $WORK/perm/zones/example.com.yaml: Permission denied: serve starts (as root) but every reload will fail" \
  || fail "no warning for a policy the user cannot read: $err"
[ "$(echo "$err" | grep -c 'cannot read')" = 1 ] || fail "readable files reported too: $err"
chmod 644 "$WORK/perm/zones/example.com.yaml"
err=$("$SRVD" check -c "$WORK/perm/srvd.yaml" 2>&1 >/dev/null) || fail "check: $err"
echo "$err" | has 'cannot read' && fail "a readable policy reported: $err"
pass "check as root reads the files as user: (the unreadable policy named, Permission denied)"

# A reload that changes a zone but not its explicit serial: secondaries would
# keep the old data, so the log says so, with transfers configured or not;
# and the reload log says what changed (records, orderings).
mkdir -p "$WORK/plain/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/plain/zones/"
printf 'zones: [zones]\nstate_dir: %s/plain\n' "$WORK" >"$WORK/plain/srvd.yaml"
start_srvd "$WORK/plain/srvd.yaml"
printf '  - "new 300 IN A 192.0.2.99"\n' >>"$WORK/plain/zones/example.com.yaml"
sed -i 's/targets: \[ms1, ms2, ms3\]/targets: [ms2, ms1, ms3]/' "$WORK/plain/zones/example.com.yaml"
kill -HUP "$SRVD_PID"
wait_log 'changed but its soa.serial stays' || fail "no serial warning without transfer: $(cat "$WORK/srvd.log")"
grep -q 'reloaded: zone example.com.: records [0-9]* added, [0-9]* removed, at [0-9]* (.*new.example.com.' "$WORK/srvd.log" \
  || fail "the reload log does not say which records changed: $(grep reload "$WORK/srvd.log")"
grep -q 'reloaded: zone example.com.: orderings changed of 1 (proxy-a)' "$WORK/srvd.log" \
  || fail "the reload log does not say which orderings changed: $(grep reload "$WORK/srvd.log")"
grep -q 'no zone, name or region changed\|nothing changed' "$WORK/srvd.log" && fail "a changed zone logged as unchanged"
kill -HUP "$SRVD_PID"
wait_log 'nothing changed' || fail "a reload of the same files: $(grep reload "$WORK/srvd.log")"
stop_srvd "$SRVD_PID"
mkdir -p "$WORK/ser/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/ser/zones/"
printf 'zones: [zones]\nstate_dir: %s/ser\ntransfer: { allow: [{ address: 127.0.0.0/8 }] }\n' "$WORK" >"$WORK/ser/srvd.yaml"
start_srvd "$WORK/ser/srvd.yaml"
printf '  - "new 300 IN A 192.0.2.99"\n' >>"$WORK/ser/zones/example.com.yaml"
kill -HUP "$SRVD_PID"
wait_log 'changed but its soa.serial stays' || fail "no warning for a changed zone with the same serial: $(cat "$WORK/srvd.log")"
grep -q "warning: reload: .*example.com.yaml: zone example.com. changed but its soa.serial stays 2026112601: secondaries keep the old data; raise the serial, or let srvd do it with \`serial: auto\`" "$WORK/srvd.log" \
  || fail "the warning: $(cat "$WORK/srvd.log")"
sed -i 's/serial: 2026112601/serial: 2026112602/' "$WORK/ser/zones/example.com.yaml"
printf '  - "newer 300 IN A 192.0.2.98"\n' >>"$WORK/ser/zones/example.com.yaml"
kill -HUP "$SRVD_PID"
wait_log 'reloaded' 2 || fail "second reload: $(cat "$WORK/srvd.log")"
[ "$(grep -c 'soa.serial stays' "$WORK/srvd.log")" = 1 ] || fail "warned although the serial was raised"
stop_srvd "$SRVD_PID"
pass "a reload says what changed (records at which names, orderings of which proxies, or nothing) and warns of content changed under the same explicit serial, transfers configured or not"

# Every error in one run, then a count: three independent mistakes in one
# policy and one in another file, four file:line:column lines.
mkdir -p "$WORK/many/zones"
cat >"$WORK/many/zones/a.example.yaml" <<'YAML'
zone: a.example
soa: { primary: ns1.a.example, contact: h.a.example, serial: soon }
nameservers: { ns1: [192.0.2.1] }
media_servers:
  ms1: { addresses: [192.0.2.300] }
  ms2: { addresses: [192.0.2.12] }
proxies:
  sip: { targets: [ms1, ms2], transports: [udp, carrier-pigeon] }
  other: { targets: [ms1] }
records:
  - "www IN A not-an-address"
YAML
cat >"$WORK/many/zones/b.example.yaml" <<'YAML'
zone: b.example
soa: { primary: ns1.b.example, contact: h.b.example, serial: 1 }
nameservers: { ns1: [192.0.2.1] }
proxies:
  sip: { targets: [ms9] }
YAML
printf 'zones: [zones]\n' >"$WORK/many/srvd.yaml"
err=$("$SRVD" check -c "$WORK/many/srvd.yaml" 2>&1) && fail "check passed a broken policy: $err"
a="$WORK/many/zones/a.example.yaml" b="$WORK/many/zones/b.example.yaml"
for expected in "$a:2:[0-9]*: soa.serial" "$a:5:[0-9]*: media_servers.ms1.addresses: '192.0.2.300'" \
  "$a:8:[0-9]*: proxies.sip.transports: expected udp, tcp or tls" "$b:5:[0-9]*: unknown media server 'ms9'"; do
  echo "$err" | has "^$expected" || fail "missing '$expected' in: $err"
done
# ms1's error is not repeated as "unknown media server" for proxy 'other';
# the record is not reached (the policy failed before records were built).
echo "$err" | has "unknown media server 'ms1'" && fail "a follow-on error reported: $err"
[ "$(echo "$err" | grep -c '^/.*:[0-9]*:[0-9]*: ')" = 4 ] || fail "expected four error lines: $err"
[ "$(echo "$err" | tail -1)" = "4 errors" ] || fail "no count: $err"
# The same at reload: the old configuration keeps serving, the log has every line.
mkdir -p "$WORK/many2/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/many2/zones/"
printf 'zones: [zones]\n' >"$WORK/many2/srvd.yaml"
start_srvd "$WORK/many2/srvd.yaml"
cp "$a" "$b" "$WORK/many2/zones/"
kill -HUP "$SRVD_PID"
wait_log 'reload failed (4 errors)' || fail "reload: $(cat "$WORK/srvd.log")"
[ "$(grep -c 'error: reload: /.*:[0-9]*:[0-9]*: ' "$WORK/srvd.log")" = 4 ] || fail "reload log lines: $(cat "$WORK/srvd.log")"
[ -n "$(q www.example.com A)" ] || fail "the old configuration stopped serving"
stop_srvd "$SRVD_PID"
pass "check and reload report every error (4 in two files, no follow-on errors) and the count"

# A reload that removes the last zone says so at warning level (every query
# turns REFUSED), not only at info.
mkdir -p "$WORK/last/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/last/zones/"
printf 'zones: [zones]\n' >"$WORK/last/srvd.yaml"
start_srvd "$WORK/last/srvd.yaml"
rm "$WORK/last/zones/example.com.yaml"
kill -HUP "$SRVD_PID"
wait_log 'reload: .*no zones: every query will be answered REFUSED' || fail "no warning when the last zone goes: $(cat "$WORK/srvd.log")"
grep -q 'Z warning: reload: .*no zones' "$WORK/srvd.log" || fail "not at warning level: $(cat "$WORK/srvd.log")"
stop_srvd "$SRVD_PID"
pass "a reload that removes the last zone is a warning"

# A zone file name that is a directory is an error, listed or inside a
# directory of zones (it was read as an empty directory: a warning, exit 0).
mkdir -p "$WORK/dirs/zones/p.example.com.yaml"
printf 'zones: [zones/p.example.com.yaml]\n' >"$WORK/dirs/listed.yaml"
out=$("$SRVD" check -c "$WORK/dirs/listed.yaml" 2>&1) && fail "check took a directory for a zone file: $out"
echo "$out" | has "listed.yaml:1:9: zones: .*/p.example.com.yaml is a directory, not a zone file" || fail "listed: $out"
printf 'zones: [zones]\n' >"$WORK/dirs/inside.yaml"
out=$("$SRVD" check -c "$WORK/dirs/inside.yaml" 2>&1) && fail "check skipped a directory named like a zone file: $out"
echo "$out" | has "inside.yaml:1:9: zones: .*/p.example.com.yaml is not a zone file (a directory)" || fail "inside: $out"
pass "a directory where a zone file should be is an error with file:line:column"

# A failover drill: what ms1's failure would change, from the configuration
# alone; proxy-b lists ms1 last, so its tiers close up behind ms3 and ms2.
out=$("$SRVD" check -c "$SRC/conf/srvd.yaml" --down ms1) || fail "drill: exit $?: $out"
echo "$out" | has '^zone example.com.: \[east, west, central\] _sip._udp.proxy-b.example.com. SRV: 10 0 5060 ms3.example.com., 20 0 5060 ms2.example.com., 30 0 5060 ms1.example.com. -> 10 0 5060 ms3.example.com., 20 0 5060 ms2.example.com.$' \
  || fail "drill: proxy-b's SRV: $out"
echo "$out" | has '^26 answer(s) (name, type, region) would change in 1 zone(s); nothing was changed$' || fail "drill total: $out"
echo "$out" | grep -q 'www' && fail "drill: a name no media server is behind changed: $out"
out=$("$SRVD" check -c "$SRC/conf/srvd.yaml" --down ms1 --down ms2 --down ms3) || fail "drill, all down: $out"
echo "$out" | has '^zone example.com.: no media server left up: all down: serving all' || fail "drill, all down: $out"
out=$("$SRVD" check -c "$SRC/conf/srvd.yaml" --down ms9 2>&1) && fail "drill with an unknown server: exit 0: $out"
echo "$out" | has 'no such media server in any zone' || fail "drill, unknown server: $out"
pass "check --down lists the answers a media server's failure would change, and zones left with none up"
