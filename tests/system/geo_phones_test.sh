#!/usr/bin/env bash
# GeoIP in the loop: two baresip phones with the same configuration, provisioned
# with the GeoIP-aware proxy sip.example.com, reach different first media servers
# because they resolve from addresses the demo database puts in different regions.
#
# baresip's resolver cannot bind a source address, so on one loopback host every
# phone would ask from 127.0.0.1. Each phone therefore gets its own network
# namespace, linked by a veth pair to a "core" namespace that holds srvd and the
# SIPp media servers:
#
#   west ns 192.0.2.10 ──veth── 192.0.2.1   core ns: srvd on 10.53.0.53:53,
#   east ns 198.51.100.10 ─veth─ 198.51.100.1        media servers 10.53.0.11-13
#
# demo-city.mmdb maps 192.0.2.0/24 to California (west: ms3 first) and
# 198.51.100.0/24 to New York (east: ms1 first).
source "$(dirname "$0")/lib.sh"
for tool in sipp baresip ip; do command -v $tool >/dev/null || fail "$tool is not installed (scripts/install-deps.sh)"; done

NS_CORE=srvd-core-$$ NS_WEST=srvd-west-$$ NS_EAST=srvd-east-$$
# Everything still running in the namespaces, then lib.sh's cleanup, then the
# namespaces and their veths. The phones are killed outright: on SIGTERM
# baresip first unregisters, and with the media servers gone it waits out the
# SIP transaction timeout (~32 s) before exiting.
end_namespaces() {
  exec 2>/dev/null  # not bash's "Killed" notices for the phones
  pkill -KILL -f "^baresip -f $WORK/phone-" 2>/dev/null || true
  for ns in $NS_WEST $NS_EAST; do ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true; done
  cleanup # stops srvd and checks its exit, then deletes the namespaces
}
trap end_namespaces EXIT
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

ip netns add "$NS_CORE" || fail "cannot create network namespaces (needs root)"
NETNS+=("$NS_CORE" "$NS_WEST" "$NS_EAST")
ip netns add "$NS_WEST"; ip netns add "$NS_EAST"
in_ns "$NS_CORE" ip link set lo up
for a in 10.53.0.11 10.53.0.12 10.53.0.13 10.53.0.53; do in_ns "$NS_CORE" ip addr add "$a/32" dev lo; done
# link NS CORE_ADDR PHONE_ADDR: a veth from the core to a phone namespace.
link() {
  ip link add "v$1" netns "$NS_CORE" type veth peer name eth0 netns "$2"
  in_ns "$NS_CORE" ip addr add "$3/24" dev "v$1"; in_ns "$NS_CORE" ip link set "v$1" up
  in_ns "$2" ip addr add "$4/24" dev eth0; in_ns "$2" ip link set eth0 up; in_ns "$2" ip link set lo up
  in_ns "$2" ip route add default via "$3"
}
link west "$NS_WEST" 192.0.2.1 192.0.2.10
link east "$NS_EAST" 198.51.100.1 198.51.100.10

mkdir -p "$WORK/zones"
sed -e 's/127\.0\.0\.1\([123]\)/10.53.0.1\1/' -e 's/, "2001:db8::13"//' "$SRC/zones/example.com.yaml" \
  >"$WORK/zones/example.com.yaml"
grep -q 10.53.0.13 "$WORK/zones/example.com.yaml" || fail "could not move the media servers to 10.53.0.11-13"
printf 'zones: [zones]\ngeoip: { database: %s }\n' "$SRC/zones/geo/demo-city.mmdb" >"$WORK/srvd.yaml"

for n in 1 2 3; do
  ip netns exec "$NS_CORE" sipp -sf "$(dirname "$0")/sipp/media-server.xml" -i "10.53.0.1$n" -p 5060 -nostdin -trace_msg \
    -message_file "$WORK/ms$n.log" -error_file "$WORK/ms$n.err" >/dev/null 2>&1 &
  PIDS+=($!)
  wait_udp_listening $! "10.53.0.1$n" 5060 "$NS_CORE" || fail "media server $n (SIPp) did not start"
done
ip netns exec "$NS_CORE" "$SRVD" serve -c "$WORK/srvd.yaml" --allow-root --listen 10.53.0.53:53 >"$WORK/srvd.log" 2>&1 &
SRVD_PIDS+=($!)
for _ in $(seq 1 50); do
  in_ns "$NS_WEST" kdig @10.53.0.53 +time=1 +retry=0 example.com SOA >/dev/null 2>&1 && break
  sleep 0.1
done
# The namespaces are wired as intended: each phone's queries reach srvd from its own address.
first() { in_ns "$1" kdig @10.53.0.53 +short _sip._udp.sip.example.com SRV | head -1 | awk '{print $4}'; }
[ "$(first "$NS_WEST")" = ms3.example.com. ] || { cat "$WORK/srvd.log" >&2; fail "west namespace: $(first "$NS_WEST")"; }
[ "$(first "$NS_EAST")" = ms1.example.com. ] || fail "east namespace: $(first "$NS_EAST")"
pass "kdig from the west and east namespaces gets the West and East orderings"

# from N ADDR: messages media server N exchanged with the phone at ADDR (its Via header).
from() { local n; n=$(grep -c "^Via: SIP/2.0/UDP $2:" "$WORK/ms$1.log" 2>/dev/null) || true; echo "${n:-0}"; }
# The phone: provisioned with the proxy name only; nothing in it says where it is.
phone_config "$WORK/phone" 0.0.0.0:5060 10.53.0.53:53
echo '<sip:phone@example.com>;outbound="sip:sip.example.com";regint=4;auth_pass=x' >"$WORK/phone/accounts"
for ns in west east; do
  cp -r "$WORK/phone" "$WORK/phone-$ns"   # baresip writes into its directory; same content
done
start=$(date +%s.%N)
for side in west east; do
  ip netns exec "srvd-$side-$$" timeout 40 baresip -f "$WORK/phone-$side" -t 35 >"$WORK/phone-$side.log" 2>&1 &
  PIDS+=($!)
done
# Until each phone has registered somewhere, at most 10 s.
for _ in $(seq 1 100); do
  [ "$(( $(from 1 198.51.100.10) + $(from 2 198.51.100.10) + $(from 3 198.51.100.10) ))" -gt 0 ] \
    && [ "$(( $(from 1 192.0.2.10) + $(from 2 192.0.2.10) + $(from 3 192.0.2.10) ))" -gt 0 ] && break
  sleep 0.1
done
took=$(echo "$(date +%s.%N) - $start" | bc -l | xargs printf '%.1f')
[ "$(from 3 192.0.2.10)" -gt 0 ] || fail "the west phone did not register with media server 3 (ms1 $(from 1 192.0.2.10), ms2 $(from 2 192.0.2.10))"
[ "$(( $(from 1 192.0.2.10) + $(from 2 192.0.2.10) ))" = 0 ] || fail "the west phone also tried media servers 1/2"
[ "$(from 1 198.51.100.10)" -gt 0 ] || fail "the east phone did not register with media server 1 (ms2 $(from 2 198.51.100.10), ms3 $(from 3 198.51.100.10))"
[ "$(( $(from 2 198.51.100.10) + $(from 3 198.51.100.10) ))" = 0 ] || fail "the east phone also tried media servers 2/3"
pass "same phone configuration: from the west namespace it registered with media server 3, from the east with media server 1 (both within ${took}s)"
