#!/usr/bin/env bash
# srvd on a real host: a wildcard listen answers every address from the
# address the query went to, and a second srvd cannot silently join a port
# the first one serves.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "not root: cannot create a network namespace (skipped)"; exit 77; }

# A host of our own: a network namespace with several addresses on lo, IPv4
# and IPv6, as a multi-homed or anycast server has.
NS=srvd-listen-$$
ip netns add "$NS" || fail "cannot create network namespace $NS"
NETNS+=("$NS")
in_ns() { ip netns exec "$NS" "$@"; }
ip -n "$NS" link set lo up
ip -n "$NS" addr add 192.0.2.53/32 dev lo
ip -n "$NS" addr add 2001:db8:53::53/128 dev lo nodad
ip -n "$NS" addr add 2001:db8:53::54/128 dev lo nodad

P=5300
printf 'listen: ["0.0.0.0:%s", "[::]:%s"]\nthreads: 2\nzones: [%s/zones/example.com.yaml]\n' \
  "$P" "$P" "$SRC" >"$WORK/wild.yaml"
ip netns exec "$NS" "$SRVD" serve -c "$WORK/wild.yaml" --allow-root >"$WORK/srvd.log" 2>&1 &
SRVD_PIDS+=("$!")
for _ in $(seq 1 50); do
  in_ns kdig @127.0.0.1 -p "$P" +time=1 +retry=0 example.com SOA >/dev/null 2>&1 && break
  sleep 0.1
done

# dig takes an answer only from the address it asked, and says so when the
# reply comes from elsewhere ("reply from unexpected source").
for addr in 127.0.0.1 127.0.0.55 127.3.2.1 192.0.2.53 ::1 2001:db8:53::53 2001:db8:53::54; do
  for tries in 1 2 3 4; do # each worker has its own socket: reach both
    out=$(in_ns dig @"$addr" -p "$P" +time=2 +tries=1 +norec _sip._udp.proxy-a.example.com SRV 2>&1) \
      || fail "UDP to $addr: no answer from it: $out"
    echo "$out" | has 'unexpected source' && fail "UDP to $addr answered from elsewhere: $out"
    echo "$out" | has "SERVER: $addr#$P" || fail "UDP to $addr: $out"
    echo "$out" | has 'status: NOERROR' || fail "UDP to $addr: $out"
  done
  out=$(in_ns kdig @"$addr" -p "$P" +tcp +time=2 +retry=0 +noall +answer _sip._udp.proxy-a.example.com SRV) \
    || fail "TCP to $addr"
  [ "$(echo "$out" | grep -c SRV)" = 3 ] || fail "TCP to $addr: $out"
done
pass "wildcard listen: UDP and TCP replies come from the address asked (4 IPv4, 3 IPv6)"

# A second srvd on an address already served refuses to start and says why;
# the first keeps every query.
mkdir -p "$WORK/other"
sed 's/^zone: example.com/zone: example.net/; s/example\.com/example.net/g' \
  "$SRC/zones/example.com.yaml" >"$WORK/other/example.net.yaml"
PORT=$(free_port)
start_srvd "$SRC/conf/srvd.yaml"
first=$SRVD_PID
for listen in "127.0.0.1:$PORT" "0.0.0.0:$PORT" "[::1]:$PORT"; do
  printf 'zones: [other/example.net.yaml]\n' >"$WORK/second.yaml"
  out=$(timeout 10 "$SRVD" serve -c "$WORK/second.yaml" --allow-root --listen "$listen" 2>&1) \
    && fail "a second srvd started on $listen"
  want="cannot listen on $listen: already served by another process"
  echo "$out" | has -F "$want" || fail "second srvd on $listen: expected '$want', got: $out"
done
pass "a second srvd on a served address (same, wildcard, IPv6) exits 1 naming it"

refused=0
for i in $(seq 1 40); do
  status=$(kdig @127.0.0.1 -p "$PORT" +time=1 +retry=0 proxy-a.example.com NAPTR | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
  [ "$status" = NOERROR ] || refused=$((refused + 1))
done
[ "$refused" = 0 ] || fail "$refused of 40 queries not answered NOERROR by the first srvd"
pass "the first srvd answers all 40 queries"

# A reload of the first srvd is not a second process: it keeps its sockets.
kill -HUP "$first"
wait_log 'reloaded: ' || fail "the first srvd did not reload: $(tail -3 "$WORK/srvd.log")"
q proxy-a.example.com NAPTR | grep -q NAPTR || fail "not answering after a reload"
pass "a reload keeps serving the address"

# A restart on the same address is not refused: connections the first left
# in TIME_WAIT do not count as a server.
for _ in 1 2 3; do q +tcp proxy-a.example.com A >/dev/null; done
stop_srvd "$first" || fail "first srvd did not stop cleanly"
"$SRVD" serve -c "$SRC/conf/srvd.yaml" --allow-root --listen "127.0.0.1:$PORT" >"$WORK/restart.log" 2>&1 &
SRVD_PIDS+=("$!")
wait_for_dns "$PORT" || fail "restart on the same address failed: $(cat "$WORK/restart.log")"
pass "a restart on the same address serves again"

# Bind errors name the address they are about.
out=$(timeout 10 "$SRVD" serve -c "$WORK/second.yaml" --allow-root --listen "192.0.2.99:$(free_port)" 2>&1) \
  && fail "served on an address this host does not have"
echo "$out" | has 'cannot listen on 192.0.2.99:[0-9]*: .*' || fail "bind error without the address: $out"
pass "a bind error names the address: $(echo "$out" | grep -o 'cannot listen.*')"
