#!/usr/bin/env bash
# GeoIP end to end: the real binary with the demo database, queried by source
# address (kdig -b) and by EDNS Client Subnet (kdig +subnet), plus explain,
# export --region, and SIGHUP picking up a changed database.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/zones" "$WORK/geo"
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
cp "$SRC/zones/geo/demo-city.mmdb" "$WORK/geo/db.mmdb"
write_conf() { # write_conf ECS_PRIVATE
  printf 'listen: ["127.0.0.1:5300"]\nzones: [zones]\ngeoip: { database: geo/db.mmdb, ecs_private: %s }\n' "$1" \
    >"$WORK/srvd.yaml"
}
write_conf fallback
start_srvd "$WORK/srvd.yaml"

order() { q "$@" _sip._udp.sip.example.com SRV | awk '{print $8}' | cut -d. -f1 | paste -sd' '; }
# The SRV set as "priority weight target", sorted: it tells the regions apart
# even where their name orders coincide (east ms1 ms2 ms3; central may start
# with ms1 too, but with weights 70/30 in one tier).
srvset() { q "$@" _sip._udp.sip.example.com SRV | awk '{print $5, $6, $8}' | cut -d. -f1 | sort | paste -sd','; }
EAST="10 0 ms1,20 0 ms2,30 0 ms3" WEST="10 0 ms3,20 0 ms2,30 0 ms1" CENTRAL="10 30 ms1,10 70 ms2,20 0 ms3"
[ "$(order -b 127.0.0.1)" = "ms1 ms2 ms3" ] || fail "east by source: $(order -b 127.0.0.1)"
[ "$(order -b 127.0.1.1)" = "ms3 ms2 ms1" ] || fail "west by source: $(order -b 127.0.1.1)"
[ "$(order -b 127.0.3.1)" = "ms1 ms2 ms3" ] || fail "Toronto, nearest east: $(order -b 127.0.3.1)"
[ "$(srvset -b 127.0.0.1)" = "$EAST" ] || fail "east priorities and weights: $(srvset -b 127.0.0.1)"
[ "$(srvset -b 127.0.1.1)" = "$WEST" ] || fail "west priorities and weights: $(srvset -b 127.0.1.1)"
[ "$(srvset -b 127.0.2.1)" = "$CENTRAL" ] || fail "central by source: $(srvset -b 127.0.2.1)"
pass "regions by source address (kdig -b)"

# The README's example.
dig -b 127.0.1.1 @127.0.0.1 -p "$PORT" _sip._udp.sip.example.com SRV +short | head -1 | grep -q ' ms3.example.com.$' \
  || fail "dig -b 127.0.1.1 does not show the west ordering"
pass "dig -b 127.0.1.1 shows the West ordering"

subnet() { kdig @127.0.0.1 -p "$PORT" -b 127.0.0.1 +subnet="$1" _sip._udp.sip.example.com SRV; }
out=$(subnet 192.0.2.0/24)
echo "$out" | has 'CLIENT-SUBNET: 192.0.2.0/24/24' || fail "ECS scope for 192.0.2.0/24: $out"
[ "$(echo "$out" | awk '$1 !~ /^;/ && $4=="SRV"{print $8}' | head -1)" = ms3.example.com. ] || fail "ECS west: $out"
out=$(subnet 2001:db8:1::/56)
echo "$out" | has 'CLIENT-SUBNET: 2001:db8:1::/56/48' || fail "IPv6 ECS scope: $out"
[ "$(echo "$out" | awk '$1 !~ /^;/ && $4=="SRV"{print $8}' | head -1)" = ms1.example.com. ] || fail "IPv6 ECS east: $out"
out=$(subnet 127.0.1.0/24)
echo "$out" | has 'CLIENT-SUBNET: 127.0.1.0/24/0' || fail "private ECS must fall back with scope 0: $out"
[ "$(echo "$out" | awk '$1 !~ /^;/ && $4=="SRV"{print $8}' | head -1)" = ms1.example.com. ] || fail "fallback to source (east): $out"
out=$(kdig @127.0.0.1 -p "$PORT" +subnet=192.0.2.0/24 _sip._udp.proxy-a.example.com SRV)
echo "$out" | has 'CLIENT-SUBNET: 192.0.2.0/24/0' || fail "static answer must carry scope 0: $out"
pass "regions by ECS, with scopes (kdig +subnet)"

# explain and export --region tell the same story.
ex=$("$SRVD" explain -c "$WORK/srvd.yaml" --client 127.0.1.1 _sip._udp.sip.example.com SRV)
echo "$ex" | has 'region west: .*matches US-CA' || fail "explain: $ex"
echo "$ex" | has 'subdivision (subdivisions/0/iso_code) = CA' || fail "explain fields: $ex"
echo "$ex" | grep -A1 '^answer:$' | grep -q 'SRV.10 0 5060 ms3.example.com.' || fail "explain answer: $ex"
echo "$ex" | grep -Eq 'WHEN|Query time|SECTION' && fail "explain prints made-up or empty lines: $ex"
ex=$("$SRVD" explain -c "$WORK/srvd.yaml" --client 127.0.2.1 --ecs 203.0.113.0/24 _sip._udp.sip.example.com SRV)
echo "$ex" | grep -Eq 'region central, ordering variant [0-9]+ of 16 \(chosen by the client.s /24\), ECS scope /24' ||
  fail "explain does not name the ordering variant: $ex"
ex=$("$SRVD" explain -c "$WORK/srvd.yaml" --client 127.0.2.1 --ecs 203.0.113.0/20 _sip._udp.sip.example.com SRV)
echo "$ex" | has 'chosen by the client.s /20' || fail "explain: variant subnet of a /20 ECS: $ex"
ex=$("$SRVD" explain -c "$WORK/srvd.yaml" --client 127.0.0.1 --ecs 127.0.3.0/24 sip.example.com NAPTR)
echo "$ex" | has 'private or unroutable' || fail "explain private ECS: $ex"
# No TYPE: A, said first; the same words through ctl's parser are refused alike.
ex=$("$SRVD" explain -c "$WORK/srvd.yaml" --client 127.0.1.1 sip.example.com)
[ "$(echo "$ex" | head -1)" = "type: A (no TYPE given; add one: SRV, NAPTR, AAAA…)" ] || fail "explain without a type: $ex"
out=$("$SRVD" explain -c "$WORK/srvd.yaml" --client 127.0.1.1 --bogus sip.example.com 2>&1) && fail "explain took --bogus"
[ "$out" = "srvd explain: unknown option --bogus (expected --client IP [--ecs PREFIX] NAME [TYPE])" ] || fail "explain --bogus: $out"
"$SRVD" export -c "$WORK/srvd.yaml" example.com --region west | has '_sip._udp.sip.example.com.	60	IN	SRV	10 0 5060 ms3' \
  || fail "export --region west"
# A GeoIP proxy that leaves a region out: check warns, naming proxy and
# region; explain says that region's clients get the default's ordering.
mkdir -p "$WORK/gap/zones"
sed '/^      west: /d' "$WORK/zones/example.com.yaml" >"$WORK/gap/zones/example.com.yaml"
sed 's|geo/db.mmdb|../geo/db.mmdb|' "$WORK/srvd.yaml" >"$WORK/gap/srvd.yaml"
out=$("$SRVD" check -c "$WORK/gap/srvd.yaml" 2>&1) || fail "check: $out"
echo "$out" | has "warning: .*example.com.yaml: zone example.com. proxy sip has no ordering for region(s) west: their clients get the default region central's" \
  || fail "check does not warn of the region left out: $out"
echo "$out" | has "^  proxy sip: no ordering for west (they get central's)$" || fail "check's zone block: $out"
ex=$("$SRVD" explain -c "$WORK/gap/srvd.yaml" --client 127.0.1.1 _sip._udp.sip.example.com SRV)
echo "$ex" | has "^region west has no ordering for this proxy: default region central used$" || fail "explain: $ex"
"$SRVD" check -c "$WORK/srvd.yaml" 2>&1 | has "no ordering for region" && fail "warned of a proxy with every region"
pass "explain (the type it assumes said, unknown options refused) and export --region; a region left out of a proxy is warned of and explained"

# SIGHUP re-reads the database: the flat-layout file yields no fields under
# the default paths, so everyone falls to the default region.
perl "$SRC/zones/geo/make-demo-db.pl" --layout flat "$WORK/geo/db.mmdb"
write_conf use
kill -HUP "$SRVD_PID"
wait_log reloaded || fail "no reload: $(cat "$WORK/srvd.log")"
[ "$(srvset -b 127.0.1.1)" = "$CENTRAL" ] || fail "after reload 127.0.1.1 should get the central tiers: $(srvset -b 127.0.1.1)"
pass "SIGHUP reloads the GeoIP database"
