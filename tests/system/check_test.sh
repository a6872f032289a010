#!/usr/bin/env bash
# `srvd check` as an operator runs it: a summary and exit 0 on the example,
# file:line:column and exit 1 on broken policies.
source "$(dirname "$0")/lib.sh"

out=$("$SRVD" check -c "$SRC/conf/srvd.yaml") || fail "check fails on the example: $out"
echo "$out" | grep -q 'zone example.com.' || fail "no zone in the summary: $out"
echo "$out" | grep -q '3 proxies: proxy-a proxy-b sip(geo)' || fail "proxies missing: $out"
pass "check summarises the example"

# Many zones: totals that fit a screen, and any zone in detail on request.
mkdir -p "$WORK/many/zones"
for i in 1 2 3 4 5 6 7; do
  sed "s/^zone: example.com/zone: p$i.example.com/" "$SRC/zones/example.com.yaml" >"$WORK/many/zones/p$i.yaml"
done
printf 'zones: [zones]\n' >"$WORK/many/srvd.yaml"
out=$("$SRVD" check -c "$WORK/many/srvd.yaml") || fail "check fails on seven zones: $out"
echo "$out" | grep -q '^7 zones: p1.example.com. ' || fail "no zone total: $out"
echo "$out" | grep -q '21 proxies (7 GeoIP-aware)' || fail "no proxy total: $out"
[ "$(echo "$out" | wc -l)" -le 8 ] || fail "seven zones should fit a few lines: $out"
out=$("$SRVD" check -c "$WORK/many/srvd.yaml" p6.example.com) || fail "check ZONE: $out"
echo "$out" | grep -q '^zone p6.example.com. ' && ! echo "$out" | grep -q 'zone p5' || fail "check ZONE: $out"
out=$("$SRVD" check -c "$WORK/many/srvd.yaml" nope.example.com 2>&1) && fail "an unknown ZONE must fail"
echo "$out" | grep -q 'no zone nope.example.com' || fail "an unknown ZONE must be named: $out"
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
