#!/usr/bin/env bash
# A real resolver in front: Unbound with a stub zone pointing at srvd and ECS
# forwarding (subnetcache). A "West" client through Unbound gets the West
# ordering, Unbound caches by the scope srvd returns, and it accepts srvd's
# answers over UDP and TCP, truncated ones included.
source "$(dirname "$0")/lib.sh"
command -v unbound >/dev/null || fail "unbound is not installed (scripts/install-deps.sh installs it)"
mkdir -p "$WORK/zones"
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
big=$(printf 'x%.0s' $(seq 1 200))
printf '  - "big IN TXT \\"%s\\" \\"%s\\" \\"%s\\""\n' "$big" "$big" "$big" >>"$WORK/zones/example.com.yaml"
# On loopback the subnets Unbound sends are loopback ones: let srvd use them.
printf 'zones: [zones]\ngeoip: { database: %s, ecs_private: use }\n' "$SRC/zones/geo/demo-city.mmdb" >"$WORK/srvd.yaml"
start_srvd "$WORK/srvd.yaml"
SRVD_PORT=$PORT

via() { kdig @127.0.0.1 -p "$UPORT" +noall +answer "$@"; }
# In priority order: Unbound rotates cached RRsets (rrset-roundrobin), so the
# records' order in its answer is not srvd's; their priorities are.
order() { via "$@" _sip._udp.sip.example.com SRV | sort -k5,5n | awk '{print $8}' | cut -d. -f1 | paste -sd' '; }

start_unbound udp "$SRVD_PORT" "subnetcache iterator"
[ "$(order -b 127.0.1.1)" = "ms3 ms2 ms1" ] || fail "West client through Unbound: $(order -b 127.0.1.1)"
[ "$(order -b 127.0.0.1)" = "ms1 ms2 ms3" ] || fail "East client through Unbound: $(order -b 127.0.0.1)"
[ "$(order -b 127.0.1.7)" = "ms3 ms2 ms1" ] || fail "another West host: $(order -b 127.0.1.7)"
pass "through Unbound, West gets West and East gets East (ECS forwarded, cached per scope)"

# Unbound cached per scope: the second West host was answered from its cache.
[ "$(grep -c 'iterator operate: query _sip._udp.sip.example.com. SRV' "$WORK/udp.log")" = 2 ] \
  || fail "Unbound should have asked srvd twice (West /24, East /24), not per host"
grep -q 'answer has edns subnet 127.0.1.0/24 scope /24' "$WORK/udp.log" || fail "srvd's scope not seen by Unbound"
n=$(via -b 127.0.1.9 +tcp _sip._udp.sip.example.com SRV | wc -l)
[ "$n" = 3 ] || fail "TCP from the client to Unbound: $n records"
naptr=$(via -b 127.0.1.1 sip.example.com NAPTR | wc -l)
[ "$naptr" = 3 ] || fail "NAPTR through Unbound: $naptr records"
pass "NAPTR and SRV through Unbound over UDP and TCP"

# A 512-byte EDNS buffer: srvd drops additional records from the NAPTR answer
# and sets TC on the big TXT; Unbound retries over TCP and gets it whole.
start_unbound small "$SRVD_PORT" "subnetcache iterator" "  edns-buffer-size: 512"
naptr=$(via -b 127.0.1.1 sip.example.com NAPTR | wc -l)
[ "$naptr" = 3 ] || fail "NAPTR with a 512-byte buffer: $naptr records"
txt=$(via big.example.com TXT | wc -c)
[ "$txt" -gt 600 ] || fail "truncated TXT not completed over TCP by Unbound: $txt bytes"
grep -q 'initiate TCP query' "$WORK/small.log" || fail "Unbound did not retry over TCP after TC"
pass "with a 512-byte buffer: NAPTR without its additional section, TC answers retried over TCP"

start_unbound tcp "$SRVD_PORT" "subnetcache iterator" "  tcp-upstream: yes"
[ "$(order -b 127.0.1.1)" = "ms3 ms2 ms1" ] || fail "Unbound over TCP to srvd: $(order -b 127.0.1.1)"
pass "Unbound to srvd over TCP (tcp-upstream), ECS included"
