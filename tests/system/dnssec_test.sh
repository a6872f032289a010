#!/usr/bin/env bash
# DNSSEC against real validators: the example zone, with an insecure and a
# secure delegation and their glue added as a carrier's zone has them,
# signed with ldns-keygen's keys (a P-256 KSK and ZSK), the trust anchor
# taken from the DS that `srvd check` prints. delv validates answers, GeoIP orderings and compact
# denials (RFC 9824); Unbound, validating in front of srvd with ECS
# forwarded, sets AD on them.
source "$(dirname "$0")/lib.sh"
for tool in delv ldns-keygen unbound dnssec-verify; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh installs it)"
done
mkdir -p "$WORK/zones" "$WORK/keys"
cd "$WORK/keys"
KSK=$(ldns-keygen -k -a ECDSAP256SHA256 example.com)
ZSK=$(ldns-keygen -a ECDSAP256SHA256 example.com)
cd - >/dev/null
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
cat >>"$WORK/zones/example.com.yaml" <<'RECORDS'
  - "sub IN NS ns.sub"
  - "ns.sub IN A 192.0.2.53"
  - "secure IN NS ns.secure"
  - "ns.secure IN A 192.0.2.54"
  - "secure IN DS 2371 13 2 1F987CC6583E92DF0890718C42A8AF4D1F3C3E7E3C5F8D7D6B1B0F3E2C9A8B7C"
RECORDS
tail -6 "$WORK/zones/example.com.yaml" | head -1 | has '^  - "\*.phones IN CNAME sip"$' \
  || fail "zones/example.com.yaml no longer ends with records: (the delegations above went elsewhere)"
printf 'dnssec: { keys: [../keys/%s, ../keys/%s] }\n' "$KSK" "$ZSK" >>"$WORK/zones/example.com.yaml"
printf 'zones: [zones]\ngeoip: { database: %s, ecs_private: use }\n' "$SRC/zones/geo/demo-city.mmdb" >"$WORK/srvd.yaml"

# check prints the DNSKEY and DS for the parent; the DS is ldns-key2ds's.
out=$("$SRVD" check -c "$WORK/srvd.yaml") || fail "check: $out"
ds=$(echo "$out" | awk '$4 == "DS"' | sed 's/^ *//')
[ "$(echo "$ds" | wc -l)" = 1 ] || fail "check should print one DS (one KSK): $out"
expected=$(cd "$WORK/keys" && ldns-key2ds -n -2 "$KSK.key")
[ "$(echo "$ds" | awk '{print $5, $6, $7, toupper($8)}')" = "$(echo "$expected" | awk '{print $5, $6, $7, toupper($8)}')" ] \
  || fail "check's DS differs from ldns-key2ds's: $ds / $expected"
echo "$out" | awk '$4 == "DNSKEY" && $5 == 257 && $2 == 300' | grep -q . \
  || fail "check prints no KSK DNSKEY with the zone's TTL (300), as it is served: $out"
[ "$(echo "$ds" | awk '{print $2}')" = 300 ] || fail "check's DS has not the DNSKEY's TTL: $ds"
pass "check prints the KSK's DNSKEY as served (TTL 300) and its DS, equal to ldns-key2ds -2"

# A key listed twice is refused where it is listed the second time.
mkdir -p "$WORK/twice/zones"
cp "$WORK/zones/example.com.yaml" "$WORK/twice/zones/"
sed -i '$d' "$WORK/twice/zones/example.com.yaml"
printf 'dnssec:\n  keys:\n    - ../../keys/%s\n    - ../../keys/%s\n    - ../../keys/%s.key\n' "$KSK" "$ZSK" "$KSK" >>"$WORK/twice/zones/example.com.yaml"
printf 'zones: [zones]\n' >"$WORK/twice/srvd.yaml"
lines=$(wc -l <"$WORK/twice/zones/example.com.yaml")
out=$("$SRVD" check -c "$WORK/twice/srvd.yaml" 2>&1) && fail "check accepted a key listed twice: $out"
echo "$out" | has "^$WORK/twice/zones/example.com.yaml:$lines:7: key .*$KSK (tag [0-9]*) is already listed at line $((lines - 2))" \
  || fail "check's error for a key listed twice: $out"
pass "check: a key listed twice is an error at its second entry"

# Bad key material fails check, each error at its keys entry.
mkdir -p "$WORK/bad/zones"
(cd "$WORK/keys" && ldns-keygen -a ECDSAP256SHA256 other.example >/dev/null && ldns-keygen -a RSASHA256 -b 1024 example.com >/dev/null)
other=$(cd "$WORK/keys" && ls Kother.example.+013+*.key | head -1) rsa=$(cd "$WORK/keys" && ls Kexample.com.+008+*.key | head -1)
cp "$SRC/zones/example.com.yaml" "$WORK/bad/zones/"
printf 'dnssec:\n  keys:\n    - ../../keys/nosuchkey\n    - ../../keys/%s\n    - ../../keys/%s\n' "$other" "$rsa" >>"$WORK/bad/zones/example.com.yaml"
printf 'zones: [zones]\n' >"$WORK/bad/srvd.yaml"
lines=$(wc -l <"$WORK/bad/zones/example.com.yaml")
out=$("$SRVD" check -c "$WORK/bad/srvd.yaml" 2>&1) && fail "check accepted bad keys: $out"
f="$WORK/bad/zones/example.com.yaml"
echo "$out" | has "^$f:$((lines - 2)):7: key .*nosuchkey.key: cannot open: No such file or directory" \
  && echo "$out" | has "^$f:$((lines - 1)):7: key .*$other is for zone other.example., not example.com." \
  && echo "$out" | has "^$f:$lines:7: key .*$rsa: algorithm 8 (RSASHA256) is not supported" \
  || fail "check's errors for bad keys: $out"
pass "check: a missing key, another zone's key, an unsupported algorithm: each at its keys entry"

start_srvd "$WORK/srvd.yaml"
read -r _ _ _ _ tag alg digest_type digest <<<"$ds"
printf 'trust-anchors { example.com. static-ds %s %s %s "%s"; };\n' "$tag" "$alg" "$digest_type" "$digest" \
  >"$WORK/anchor.conf"
v() { delv -a "$WORK/anchor.conf" +root=example.com @127.0.0.1 -p "$PORT" "$@" 2>&1; }
validated() { # validated EXPECTED ARGS...
  local expect=$1 out; shift
  out=$(v "$@")
  echo "$out" | has "^; $expect\$" || fail "delv $*: expected '$expect': $out"
}
validated "fully validated" sip.example.com NAPTR
validated "fully validated" _sip._udp.sip.example.com SRV
validated "fully validated" sip.example.com A      # the proxy's own addresses
validated "fully validated" ms1.example.com A
validated "fully validated" example.com SOA
validated "fully validated" example.com DNSKEY
validated "fully validated" example.com CDS
validated "fully validated" x.phones.example.com A   # wildcard CNAME
# The control: with an anchor that does not match the KSK, nothing validates.
sed 's/"\([0-9A-Fa-f]*\)[0-9A-Fa-f]"/"\10"/; t; q1' "$WORK/anchor.conf" >"$WORK/wrong.conf"
cmp -s "$WORK/anchor.conf" "$WORK/wrong.conf" && sed -i 's/0"/1"/' "$WORK/wrong.conf"
out=$(delv -a "$WORK/wrong.conf" +root=example.com @127.0.0.1 -p "$PORT" sip.example.com NAPTR 2>&1)
echo "$out" | has 'fully validated' && fail "delv validated with a wrong trust anchor: $out"
pass "delv: NAPTR, SRV, the proxy's A, a media server's A, SOA, DNSKEY, CDS and a wildcard's answer fully validated (and nothing with a wrong anchor)"

first() { v "$@" _sip._udp.sip.example.com SRV | awk '$4 == "SRV" {print $8; exit}'; }
east=$(first -b 127.0.0.1) west=$(first -b 127.0.1.1)
[ "$east" = ms1.example.com. ] && [ "$west" = ms3.example.com. ] \
  || fail "regions through delv: east $east, west $west"
validated "fully validated" -b 127.0.1.1 _sip._udp.sip.example.com SRV
pass "delv: East and West get their own orderings, each fully validated"

validated "negative response, fully validated" nothing-here.example.com A
validated "negative response, fully validated" sip.example.com TXT
validated "negative response, fully validated" _udp.sip.example.com A   # an ENT
# A wildcard CNAME to a name without the type: the CNAME validates and the
# target's NODATA (with its NSEC) is what delv caches.
out=$(v y.phones.example.com TXT)
echo "$out" | has '^; fully validated$' && echo "$out" | has '^; sip.example.com. NSEC ' \
  && ! echo "$out" | grep -Eq 'bogus|insecure|no valid' || fail "delv y.phones.example.com TXT: $out"
pass "delv: missing name, missing type, empty non-terminal, wildcard CNAME to no data: validated denials"

# What a validator asks besides answers (#24): a name's NSEC, at a CNAME
# too; names the wildcard proof had wrong (\000 just after the encloser,
# a 63-octet label) and a missing name of 255 octets.
validated "fully validated" portal.example.com NSEC
validated "fully validated" sip.example.com NSEC
validated "fully validated" '\000.phones.example.com' A
validated "fully validated" "$(printf 'b%.0s' $(seq 63)).phones.example.com" A
long="$(printf 'a%.0s' $(seq 63)).$(printf 'a%.0s' $(seq 63)).$(printf 'a%.0s' $(seq 63)).$(printf 'a%.0s' $(seq 49)).example.com"
validated "negative response, fully validated" "$long" A
out=$(kdig @127.0.0.1 -p "$PORT" +dnssec +noall +answer portal.example.com RRSIG)
[ "$(echo "$out" | awk '$4 == "RRSIG" {print $5}' | sort -u | tr '\n' ' ')" = "CNAME NSEC " ] \
  || fail "portal.example.com RRSIG: the CNAME's and the NSEC's signatures, no chain: $out"
pass "delv: explicit NSEC queries (a CNAME owner too), wildcard matches at \\000 and at a 63-octet label, a 255-octet missing name; RRSIG queries answer the name's own"

# Referrals, insecure and secure, as a validator needs them (RFC 4035
# 3.1.4): NS and glue unsigned; the DS and its RRSIG, or the NSEC proving
# there is no DS. Unbound validates the DS proofs it fetches on the way.
shape() { # the records' owner, type and what an RRSIG covers, per section
  kdig @127.0.0.1 -p "$1" +dnssec +norec +noall +authority +additional "$2" A \
    | awk '$4 == "RRSIG" {print $1, "RRSIG", $5; next} {print $1, $4}' | sort -u | tr '\n' ';'
}
[ "$(shape "$PORT" host.sub.example.com)" = "ns.sub.example.com. A;sub.example.com. NS;sub.example.com. NSEC;sub.example.com. RRSIG NSEC;" ] \
  || fail "insecure referral: $(shape "$PORT" host.sub.example.com)"
[ "$(shape "$PORT" host.secure.example.com)" = "ns.secure.example.com. A;secure.example.com. DS;secure.example.com. NS;secure.example.com. RRSIG DS;" ] \
  || fail "secure referral: $(shape "$PORT" host.secure.example.com)"
validated "fully validated" secure.example.com DS
validated "negative response, fully validated" sub.example.com DS
pass "referrals: NS and glue unsigned, the DS with its RRSIG or the NSEC proving none; DS answers validate"

# Unbound validating in front, trust anchor the DS, ECS forwarded.
start_unbound unbound "$PORT" "subnetcache validator iterator" "  trust-anchor: \"$ds\""
via() { kdig @127.0.0.1 -p "$UPORT" +dnssec "$@"; }
ad() { # ad ARGS...: Unbound's answer has the AD flag (validated secure)
  local out; out=$(via "$@")
  echo "$out" | has '^;; Flags:.* ad' || fail "Unbound did not validate $*: $out $(tail -5 "$WORK/unbound.log")"
}
ad sip.example.com NAPTR
ad -b 127.0.0.1 _sip._udp.sip.example.com SRV
ad -b 127.0.1.1 _sip._udp.sip.example.com SRV
ad nothing-here.example.com A
ad sip.example.com TXT
ad x.phones.example.com A
srv_first() { via "$@" +noall +answer _sip._udp.sip.example.com SRV | sort -k5,5n | awk '$4 == "SRV" {print $8; exit}'; }
[ "$(srv_first -b 127.0.1.9)" = ms3.example.com. ] || fail "West through validating Unbound: $(srv_first -b 127.0.1.9)"
[ "$(srv_first -b 127.0.0.9)" = ms1.example.com. ] || fail "East through validating Unbound: $(srv_first -b 127.0.0.9)"
pass "Unbound validating (trust anchor: check's DS) sets AD on answers and denials, ECS still picks the region"

# What secondaries and export get: the zone signed with an NSEC chain, which
# ldns-verify-zone accepts for the default view and each region.
for region in "" east west central; do
  "$SRVD" export -c "$WORK/srvd.yaml" ${region:+--region "$region"} example.com >"$WORK/export.zone" \
    || fail "export ${region:-default}"
  grep -q 'IN	NSEC	\|IN NSEC ' "$WORK/export.zone" || fail "export ${region:-default} has no NSEC chain"
  out=$(ldns-verify-zone "$WORK/export.zone" 2>&1) || fail "ldns-verify-zone on export ${region:-default}: $out"
  out=$(dnssec-verify -o example.com "$WORK/export.zone" 2>&1) || fail "dnssec-verify on export ${region:-default}: $out"
done
# The control: one changed address and ldns-verify-zone refuses the zone.
sed -i '0,/\tA\t127\.0\.0\.11$/s//\tA\t127.0.0.99/' "$WORK/export.zone"
grep -q '127.0.0.99' "$WORK/export.zone" || fail "the control found no address to change"
ldns-verify-zone "$WORK/export.zone" >/dev/null 2>&1 && fail "ldns-verify-zone accepted a changed record"
pass "export of the signed zone (default view, east, west, central): ldns-verify-zone and dnssec-verify accept each; ldns-verify-zone refuses a changed record"

# A KSK and a ZSK of two algorithms (P-256 and Ed25519): every set is
# signed with both (RFC 4035 2.2), so dnssec-verify finds the zone fully
# signed (-z: it would also want a KSK of each algorithm, which RFC 4035
# does not), and delv validates through either.
mkdir -p "$WORK/mixed/zones"
ED=$(cd "$WORK/keys" && ldns-keygen -a ED25519 example.com)
sed '$d' "$WORK/zones/example.com.yaml" >"$WORK/mixed/zones/example.com.yaml"
printf 'dnssec: { keys: [../../keys/%s, ../../keys/%s] }\n' "$KSK" "$ED" >>"$WORK/mixed/zones/example.com.yaml"
printf 'zones: [zones]\n' >"$WORK/mixed/srvd.yaml"
"$SRVD" export -c "$WORK/mixed/srvd.yaml" example.com >"$WORK/mixed.zone" || fail "export of the mixed-algorithm zone"
out=$(dnssec-verify -z -o example.com "$WORK/mixed.zone" 2>&1) || fail "dnssec-verify on the mixed-algorithm zone: $out"
MIXED_PORT=$(free_port)
"$SRVD" serve -c "$WORK/mixed/srvd.yaml" --listen "127.0.0.1:$MIXED_PORT" --allow-root 2>"$WORK/mixed.log" &
PIDS+=($!)
wait_for_dns "$MIXED_PORT"
for query in "sip.example.com NAPTR" "example.com DNSKEY" "x.phones.example.com A"; do
  out=$(delv -a "$WORK/anchor.conf" +root=example.com @127.0.0.1 -p "$MIXED_PORT" $query 2>&1)
  echo "$out" | has '^; fully validated$' || fail "delv, mixed algorithms: $query: $out"
done
out=$(delv -a "$WORK/anchor.conf" +root=example.com @127.0.0.1 -p "$MIXED_PORT" nothing-here.example.com A 2>&1)
echo "$out" | has '^; negative response, fully validated$' || fail "delv, mixed algorithms: missing name: $out"
pass "a P-256 KSK with an Ed25519 ZSK: every set signed with both algorithms (dnssec-verify -z), answers and a denial validated by delv"

# NSD as a secondary: it transfers the signed zone (AXFR) and serves it
# presigned; delv, trusting the same DS, validates its answers and denials.
NSD_PORT=$(free_port)
mkdir -p "$WORK/state"
sed -i 's/serial: 2026112601/serial: auto/' "$WORK/zones/example.com.yaml"
printf 'zones: [zones]\nstate_dir: state\ngeoip: { database: %s, ecs_private: use }\ntransfer: { allow: [{ address: 127.0.0.1 }], notify: [{ address: "127.0.0.1:%s" }] }\ncontrol: { socket: %s }\n' \
  "$SRC/zones/geo/demo-city.mmdb" "$NSD_PORT" "$WORK/xfr.sock" >"$WORK/srvd-xfr.yaml"
stop_srvd "$SRVD_PID"
start_srvd "$WORK/srvd-xfr.yaml"
start_nsd_secondary "$WORK/nsd" "$NSD_PORT" "$PORT"
serial=$(q example.com SOA | awk '{print $7}')
for _ in $(seq 1 100); do
  [ "$(kdig @127.0.0.1 -p "$NSD_PORT" +short +time=1 +retry=0 example.com SOA 2>/dev/null | awk '{print $3}')" = "$serial" ] && break
  sleep 0.1
done
nv() { delv -a "$WORK/anchor.conf" +root=example.com @127.0.0.1 -p "$NSD_PORT" "$@" 2>&1; }
for query in "sip.example.com NAPTR" "_sip._udp.sip.example.com SRV" "example.com DNSKEY" "x.phones.example.com A"; do
  out=$(nv $query)
  echo "$out" | has '^; fully validated$' || { tail -5 "$WORK/nsd/nsd.log" >&2; fail "delv via NSD: $query: $out"; }
done
for query in "nothing-here.example.com A" "sip.example.com TXT" "_udp.sip.example.com A"; do
  out=$(nv $query)
  echo "$out" | has '^; negative response, fully validated$' || fail "delv via NSD: $query: $out"
done
pass "NSD secondary (AXFR of the signed zone): answers, a wildcard and denials fully validated by delv"
for name in host.sub.example.com host.secure.example.com; do
  [ "$(shape "$PORT" $name)" = "$(shape "$NSD_PORT" $name)" ] \
    || fail "referral for $name: srvd $(shape "$PORT" $name), NSD $(shape "$NSD_PORT" $name)"
done
pass "referrals with DO: the same records and signatures as NSD serving srvd's AXFR"

# A policy that lost its dnssec: section (a copy cut short) is refused on
# reload; the zone keeps being served signed. `dnssec: off` says it on purpose.
cp "$WORK/zones/example.com.yaml" "$WORK/signed.yaml.keep"
sed -i '/^dnssec:/d' "$WORK/zones/example.com.yaml"
out=$("$SRVD" ctl -c "$WORK/srvd-xfr.yaml" reload 2>&1) && fail "a reload that drops signing was accepted: $out"
echo "$out" | has "example.com.yaml:3:7: zone example.com. is signed now and this policy has no .dnssec:. section" \
  || fail "the refused reload's message: $out"
out=$(v sip.example.com NAPTR)
echo "$out" | has '^; fully validated$' || fail "after the refused reload: $out"
echo 'dnssec: off' >>"$WORK/zones/example.com.yaml"
out=$("$SRVD" ctl -c "$WORK/srvd-xfr.yaml" reload 2>&1) || fail "reload with dnssec: off: $out"
[ -z "$(kdig @127.0.0.1 -p "$PORT" +dnssec +noall +answer example.com DNSKEY)" ] || fail "dnssec: off still serves DNSKEY"
cp "$WORK/signed.yaml.keep" "$WORK/zones/example.com.yaml"
out=$("$SRVD" ctl -c "$WORK/srvd-xfr.yaml" reload 2>&1) || fail "reload signed again: $out"
serial=$(q example.com SOA | awk '{print $7}')
pass "a reload that would drop signing is refused (file:line:column, still validated); dnssec: off unsigns on purpose"

# srvd ctl sign (knotc zone-sign): new signatures now, a new serial, and
# the NOTIFY brings them to NSD, whose answers still validate.
out=$("$SRVD" ctl -c "$WORK/srvd-xfr.yaml" sign example.com) || fail "ctl sign: $out"
signed_serial=$(q example.com SOA | awk '{print $7}')
[ "$signed_serial" -gt "$serial" ] && echo "$out" | has "^signed example.com. serial $signed_serial, valid until " \
  || fail "ctl sign: serial $serial -> $signed_serial: $out"
for _ in $(seq 1 100); do
  [ "$(kdig @127.0.0.1 -p "$NSD_PORT" +short +time=1 +retry=0 example.com SOA 2>/dev/null | awk '{print $3}')" = "$signed_serial" ] && break
  sleep 0.1
done
[ "$(kdig @127.0.0.1 -p "$NSD_PORT" +short example.com SOA | awk '{print $3}')" = "$signed_serial" ] \
  || fail "NSD did not get serial $signed_serial after ctl sign"
out=$(nv sip.example.com NAPTR)
echo "$out" | has '^; fully validated$' || fail "delv via NSD after ctl sign: $out"
"$SRVD" ctl -c "$WORK/srvd-xfr.yaml" sign nosuch.example >/dev/null 2>&1 && fail "ctl sign of an unknown zone succeeded"
serial=$signed_serial
pass "ctl sign: serial $signed_serial NOTIFYed and transferred by NSD, still fully validated; an unknown zone is refused"

# Knot as a secondary too: it serves the transferred zone as signed.
KNOT_PORT=$(free_port)
mkdir -p "$WORK/knot"
{ knot_server_conf "$WORK/knot" "$KNOT_PORT" warning; cat <<CONF; } >"$WORK/knot/knot.conf"
remote:
  - id: srvd
    address: 127.0.0.1@$PORT
zone:
  - domain: example.com
    storage: "$WORK/knot/db"
    master: srvd
    zonefile-sync: -1
CONF
knotd -c "$WORK/knot/knot.conf" 2>"$WORK/knot/knot.log" &
PIDS+=($!)
for _ in $(seq 1 150); do
  [ "$(kdig @127.0.0.1 -p "$KNOT_PORT" +short +time=1 +retry=0 example.com SOA 2>/dev/null | awk '{print $3}')" = "$serial" ] && break
  sleep 0.1
done
kv() { delv -a "$WORK/anchor.conf" +root=example.com @127.0.0.1 -p "$KNOT_PORT" "$@" 2>&1; }
for query in "sip.example.com NAPTR" "x.phones.example.com A"; do
  out=$(kv $query)
  echo "$out" | has '^; fully validated$' || { cat "$WORK/knot/knot.log" >&2; fail "delv via Knot: $query: $out"; }
done
out=$(kv nothing-here.example.com A)
echo "$out" | has '^; negative response, fully validated$' || fail "delv via Knot: missing name: $out"
pass "Knot secondary: answers, a wildcard and a missing name fully validated by delv"

# Signatures made per query are counted, and a flood of random names with DO
# meets the rate limiter before any is signed: 1,000 queries from one
# client at 500 a second against 20 answers a second.
MPORT=$(free_port)
printf 'zones: [zones]\nstate_dir: state\nthreads: 1\nrrl: { responses_per_second: 20, slip: 2 }\nmetrics: { listen: "127.0.0.1:%s" }\ncontrol: { socket: %s }\n' \
  "$MPORT" "$WORK/ctl.sock" >"$WORK/rrl.yaml"
stop_srvd "$SRVD_PID"
start_srvd "$WORK/rrl.yaml"
metric() { curl -s "http://127.0.0.1:$MPORT/metrics" | awk -v k="$1" '$1 == k {print $2}'; }
for i in 1 2 3 4 5; do kdig @127.0.0.1 -p "$PORT" +dnssec +time=1 "gone$i.example.com" A >/dev/null; done
[ "$(metric srvd_dnssec_online_signatures_total)" = 5 ] \
  || fail "5 signed denials, counter $(metric srvd_dnssec_online_signatures_total)"
awk 'BEGIN { srand(3); for (i = 0; i < 1000; i++) printf "r%08x.example.com A\n", int(rand() * 4294967295) }' >"$WORK/flood.txt"
sleep 1.1 # a fresh second for the limiter
dnsperf -s 127.0.0.1 -p "$PORT" -D -d "$WORK/flood.txt" -n 1 -c 1 -Q 500 -t 1 >/dev/null 2>&1 || true
signed=$(($(metric srvd_dnssec_online_signatures_total) - 5))
dropped=$(metric srvd_rrl_dropped_total) slipped=$(metric srvd_rrl_slipped_total)
# Only answers sent whole were signed: not the dropped ones, not the slips (TC).
[ "$signed" -le $((1000 - dropped - slipped)) ] && [ "$signed" -le 150 ] && [ $((dropped + slipped)) -ge 700 ] \
  || fail "flood: $signed signatures made for 1,000 queries, $dropped dropped, $slipped slipped"
pass "per-query signatures counted; a 1,000-query DO flood: $signed signed, $dropped dropped and $slipped slipped (TC, unsigned) by rate limiting"

# When the signatures expire, for alerting and for the operator.
expire=$(metric 'srvd_dnssec_signatures_expire_timestamp_seconds{zone="example.com."}')
now=$(date +%s)
[ -n "$expire" ] && [ $((expire - now)) -gt $((13 * 86400)) ] && [ $((expire - now)) -le $((14 * 86400)) ] \
  || fail "signatures expire at '$expire', expected 14 days from $now"
"$SRVD" ctl -c "$WORK/rrl.yaml" status | grep -q "^zone example.com. serial .*, signed until $(date -u -d "@$expire" +%Y-%m-%dT%H:%M:%S)" \
  || fail "ctl status: $("$SRVD" ctl -c "$WORK/rrl.yaml" status)"
pass "signatures' expiry in metrics (14 days ahead) and in ctl status"
