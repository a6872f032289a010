#!/usr/bin/env bash
# Resolvers told to drop what a failover changed (issue #28): real Unbound
# (remote control over TLS, as unbound-control-setup makes it), a real
# PowerDNS Recursor (its HTTP API) and a real Knot Resolver (its control
# socket) cache srvd's answers with a 300 s TTL; when a media server (SIPp)
# stops answering OPTIONS, each hands out the new answer within 1 s of srvd
# itself, and again when it comes back. A second Unbound that srvd is not
# told about keeps the stale answer: the flush is what moved the others. A
# resolver that hangs (a command that never ends) is timed out and retried
# without delaying answers or the other resolvers.
source "$(dirname "$0")/lib.sh"
for tool in sipp unbound unbound-control-setup pdns_recursor kresd; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh installs it)"
done
mkdir -p "$WORK/zones" "$WORK/ub" "$WORK/pdns" "$WORK/kres"
cat >"$WORK/zones/example.com.yaml" <<'Z'
zone: example.com
ttl: 300
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1, minimum: 300 }
nameservers: { ns1: [127.0.0.1] }
health: { probe: sip-options, transport: udp, interval: 300ms, timeout: 200ms, down_after: 2, up_after: 2, answer_ttl: 300 }
media_servers:
  ms1: { addresses: [192.0.2.51], probe_address: 127.0.0.71 }
  ms2: { addresses: [192.0.2.52], probe_address: 127.0.0.72 }
regions:
  east: { match: [US-NY] }
  west: { match: [US-CA] }
default_region: east
proxies:
  p: { targets: { east: [ms1, ms2], west: [ms2, ms1] } }
Z

declare -A SIPP
start_ms() {
  sipp -sf "$(dirname "$0")/sipp/options-200.xml" -i "127.0.0.7$1" -p 5060 -nostdin >/dev/null 2>&1 &
  SIPP[$1]=$!
  PIDS+=("${SIPP[$1]}")
  wait_udp_listening "${SIPP[$1]}" "127.0.0.7$1" 5060 || fail "media server $1 (SIPp) did not start"
}
stop_ms() { kill "${SIPP[$1]}" 2>/dev/null || true; wait "${SIPP[$1]}" 2>/dev/null || true; }
start_ms 1; start_ms 2

# Unbound's remote control as Debian sets it up: TLS with the keys
# unbound-control-setup makes. Port numbers first: srvd's configuration names them.
unbound-control-setup -d "$WORK/ub" >/dev/null 2>&1 || fail "unbound-control-setup failed"
UB_CTL=$(free_port)
PDNS_PORT=$(free_port); PDNS_WEB=$(free_port)
KRES_PORT=$(free_port)
MPORT=$(free_port)
cat >"$WORK/hang.sh" <<'S'
#!/bin/sh
sleep 30
S
cat >"$WORK/record.sh" <<S
#!/bin/sh
echo "\$@" >>"$WORK/command.names"
S
chmod +x "$WORK/hang.sh" "$WORK/record.sh"
cat >"$WORK/srvd.yaml" <<C
zones: [zones]
# GeoIP on, as in production. (Unbound's subnet cache, module-config
# "subnetcache", is out of reach: unbound-control's flush and flush_zone do
# not touch it in 1.17, tried here; answer_ttl bounds what it keeps.)
geoip: { database: $SRC/zones/geo/demo-city.mmdb, ecs_private: use }
control: { socket: ctl.sock }
state_dir: state
metrics: { listen: "127.0.0.1:$MPORT" }
resolvers:
  - { name: office-unbound, type: unbound, control: "127.0.0.1:$UB_CTL",
      server_cert: ub/unbound_server.pem, control_cert: ub/unbound_control.pem, control_key: ub/unbound_control.key }
  - { name: recursor, type: pdns-recursor, webserver: "127.0.0.1:$PDNS_WEB", api_key: s3cret }
  - { name: kresd, type: knot-resolver, control: kres/control }
  - { name: script, type: command, command: [$WORK/record.sh, --flush] }
  - { name: hung, type: command, command: $WORK/hang.sh, timeout: 300ms, retries: 1 }
C
start_srvd "$WORK/srvd.yaml"
SRVD_PORT=$PORT

start_unbound flushed "$SRVD_PORT" "iterator" "$(printf 'remote-control:\n  control-enable: yes\n  control-interface: 127.0.0.1\n  control-port: %s\n  server-key-file: %s\n  server-cert-file: %s\n  control-key-file: %s\n  control-cert-file: %s' \
  "$UB_CTL" "$WORK/ub/unbound_server.key" "$WORK/ub/unbound_server.pem" "$WORK/ub/unbound_control.key" "$WORK/ub/unbound_control.pem")"
UB1=$UPORT
start_unbound stale "$SRVD_PORT" "iterator"
UB2=$UPORT

pdns_recursor --config-dir="$WORK/pdns" --socket-dir="$WORK/pdns" --local-address=127.0.0.1 \
  --local-port="$PDNS_PORT" --forward-zones="example.com=127.0.0.1:$SRVD_PORT" --dont-query= \
  --webserver=yes --webserver-address=127.0.0.1 --webserver-port="$PDNS_WEB" --api-key=s3cret \
  --webserver-allow-from=127.0.0.0/8 --daemon=no --disable-syslog --threads=1 \
  --dnssec=off --security-poll-suffix= --loglevel=3 >"$WORK/pdns.log" 2>&1 &
PIDS+=($!)
wait_for_dns "$PDNS_PORT" || { cat "$WORK/pdns.log" >&2; fail "pdns_recursor did not start"; }

cat >"$WORK/kres/config" <<K
net.listen('127.0.0.1', $KRES_PORT)
net.listen('$WORK/kres/control', nil, { kind = 'control' })
cache.size = 10 * MB
policy.add(policy.suffix(policy.STUB('127.0.0.1@$SRVD_PORT'), { todname('example.com.') }))
K
kresd -n -c "$WORK/kres/config" "$WORK/kres" >"$WORK/kres.log" 2>&1 &
PIDS+=($!)
wait_for_dns "$KRES_PORT" || { cat "$WORK/kres.log" >&2; fail "kresd did not start"; }

# first PORT: the first SRV target's label as PORT's answer has it.
first() { kdig @127.0.0.1 -p "$1" +time=1 +retry=0 +noall +answer _sip._udp.p.example.com SRV | sort -k5,5n | awk 'NR == 1 {print $8}' | cut -d. -f1; }
for port in "$SRVD_PORT" "$UB1" "$UB2" "$PDNS_PORT" "$KRES_PORT"; do
  [ "$(first "$port")" = ms1 ] || fail "port $port: ms1 first while all are up: $(first "$port")"
done
ttl=$(kdig @127.0.0.1 -p "$UB1" +noall +answer _sip._udp.p.example.com SRV | awk 'NR == 1 {print $2}')
[ "$ttl" -gt 200 ] || fail "Unbound's cached TTL $ttl: the test needs a long one"
pass "srvd, two Unbounds, the Recursor and kresd all answer ms1 first (cached for 300 s)"

# watch EXPECTED: polls srvd and the resolvers every 100 ms for 10 s; sets
# T[name] to the ms (since the watch began) at which each first answered
# EXPECTED first.
declare -A T
watch() {
  local start now name port
  T=()
  start=$(date +%s%3N)
  while [ $(( $(date +%s%3N) - start )) -lt 10000 ]; do
    now=$(( $(date +%s%3N) - start ))
    for name in srvd:$SRVD_PORT unbound:$UB1 recursor:$PDNS_PORT kresd:$KRES_PORT; do
      port=${name#*:}; name=${name%%:*}
      [ -z "${T[$name]:-}" ] && [ "$(first "$port")" = "$1" ] && T[$name]=$now
    done
    [ ${#T[@]} = 4 ] && break
    sleep 0.1
  done
  for name in srvd unbound recursor kresd; do
    [ -n "${T[$name]:-}" ] || { tail -20 "$WORK/srvd.log" >&2; fail "$name never answered $1 first"; }
    [ $(( T[$name] - T[srvd] )) -le 1000 ] || { tail -20 "$WORK/srvd.log" >&2; fail "$name answered $1 first $(( T[$name] - T[srvd] )) ms after srvd"; }
  done
  echo "  srvd at ${T[srvd]} ms, unbound +$(( T[unbound] - T[srvd] )), recursor +$(( T[recursor] - T[srvd] )), kresd +$(( T[kresd] - T[srvd] ))"
}

stop_ms 1
watch ms2
[ "$(first "$UB2")" = ms1 ] || fail "the Unbound srvd does not know dropped its cache: the test proves nothing"
pass "ms1 died: Unbound, the Recursor and kresd answer ms2 first within 1 s of srvd; an Unbound not flushed still says ms1"

start_ms 1
watch ms1
pass "ms1 back: every flushed resolver answers ms1 first within 1 s of srvd"

wait_log 'flush: hung (command): gave up after 2 attempt' || fail "the hung command was not given up: $(grep flush: "$WORK/srvd.log")"
has "_sip._udp.p.example.com." "$WORK/command.names" || fail "the command was not given the names: $(cat "$WORK/command.names")"
head -1 "$WORK/command.names" | has -- "^--flush " || fail "the command's own arguments first: $(cat "$WORK/command.names")"
status=$("$SRVD" ctl -c "$WORK/srvd.yaml" status 2>&1) || true
echo "$status" | has "^resolver office-unbound (unbound): 2 flush(es)" || fail "status: $status"
# Given up once or twice: the second change may join the first's retry.
echo "$status" | has -E "^resolver hung \(command\): 0 flush\(es\) of 0 name\(s\), [12] failed, [12] retried.*; last failure: timed out" \
  || fail "status: $status"
metrics=$(curl -sf "http://127.0.0.1:$MPORT/metrics")
echo "$metrics" | has '^srvd_resolver_flushes_total{resolver="recursor"} 2$' || fail "metrics: $(echo "$metrics" | grep resolver)"
echo "$metrics" | has '^srvd_resolver_flushed_names_total{resolver="kresd"} 6$' || fail "metrics: $(echo "$metrics" | grep resolver)"
echo "$metrics" | has -E '^srvd_resolver_flush_failures_total\{resolver="hung"\} [12]$' || fail "metrics: $(echo "$metrics" | grep resolver)"
pass "the hung resolver timed out, was retried and given up, the others unaffected; status and metrics count it"

# A planned drain that finishes: with a 3 s TTL, `drain --wait` returns after
# the resolvers' flushes and once every other cache must have let ms2 go.
sed -i 's/answer_ttl: 300/answer_ttl: 3/' "$WORK/zones/example.com.yaml"
"$SRVD" ctl -c "$WORK/srvd.yaml" reload >/dev/null || fail "reload with answer_ttl: 3"
start=$(date +%s%3N)
out=$("$SRVD" ctl -c "$WORK/srvd.yaml" drain ms2 --wait 2>&1) || fail "drain --wait: $out"
took=$(( $(date +%s%3N) - start ))
echo "$out" | has '^drained example.com. ms2$' || fail "drain --wait: $out"
echo "$out" | has '^caches clear at .*: the longest TTL of the answers that listed ms2, 3 s$' || fail "drain --wait: $out"
echo "$out" | has '^resolver office-unbound ok$' && echo "$out" | has '^resolver recursor ok$' \
  && echo "$out" | has '^resolver hung failed: timed out$' || fail "drain --wait, resolvers: $out"
echo "$out" | has '^caches clear: no answer srvd gave lists ms2 any more' || fail "drain --wait: $out"
[ "$took" -ge 2000 ] && [ "$took" -lt 8000 ] || fail "drain --wait took $took ms for a 3 s TTL"
[ "$(first "$UB1")" = ms1 ] && [ "$(kdig @127.0.0.1 -p "$UB1" +short _sip._udp.p.example.com SRV | grep -c ms2)" = 0 ] \
  || fail "Unbound still lists ms2 after drain --wait: $(kdig @127.0.0.1 -p "$UB1" +short _sip._udp.p.example.com SRV)"
"$SRVD" ctl -c "$WORK/srvd.yaml" status | has '^  example.com. ms2: drained since .*, caches clear since ' \
  || fail "status after drain --wait: $("$SRVD" ctl -c "$WORK/srvd.yaml" status)"
pass "drain --wait returned after the resolvers' flushes and the 3 s TTL ($took ms); status says caches are clear"
