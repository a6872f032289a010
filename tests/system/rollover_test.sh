#!/usr/bin/env bash
# Key rollovers that run themselves (#24): ZSKs made by dnssec-keygen with
# timing metadata (-P -A -I -D) roll on their own, first by pre-publication,
# then by double signature, while a validating Unbound in front of srvd
# keeps asking: no answer may ever be SERVFAIL or lose its AD flag, for
# NAPTR, SRV, A, a missing name, a missing type and a wildcard. TTLs of 2 s
# and steps of a few seconds stand for the days of a real schedule.
source "$(dirname "$0")/lib.sh"
for tool in dnssec-keygen unbound delv; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh installs it)"
done
mkdir -p "$WORK/zones" "$WORK/keys" "$WORK/state"
t0=$(($(date +%s) + 5))
at() { date -u -d "@$(( t0 + $1 ))" +%Y%m%d%H%M%S; }
key() { (cd "$WORK/keys" && dnssec-keygen -q "$@" example.com); }
KSK=$(key -a ECDSAP256SHA256 -f KSK -P "$(at -3600)" -A "$(at -3600)")
ZSK1=$(key -a ECDSAP256SHA256 -P "$(at -3600)" -A "$(at -3600)" -I "$(at 8)" -D "$(at 14)")
ZSK2=$(key -a ECDSAP256SHA256 -P "$(at 2)" -A "$(at 8)" -I "$(at 20)" -D "$(at 26)")  # pre-published
ZSK3=$(key -a ECDSAP256SHA256 -P "$(at 14)" -A "$(at 14)")                            # double signature
tag() { echo "$1" | sed 's/.*+0*//'; }
rollover_zone "$WORK/zones/example.com.yaml" 1s "../keys/$KSK" "../keys/$ZSK1" "../keys/$ZSK2" "../keys/$ZSK3"
MPORT=$(free_port)
printf 'zones: [zones]\nstate_dir: state\ncontrol: { socket: %s }\nmetrics: { listen: "127.0.0.1:%s" }\n' \
  "$WORK/ctl.sock" "$MPORT" >"$WORK/srvd.yaml"

out=$("$SRVD" check -c "$WORK/srvd.yaml" 2>&1) || fail "check: $out"
echo "$out" | has "ZSK $(tag "$ZSK2") ($ZSK2) future; published at " || fail "check shows no state and next event for ZSK2: $out"
echo "$out" | has "next key event: " || fail "check shows no next key event: $out"
ds=$(echo "$out" | awk '$4 == "DS"' | sed 's/^ *//')
pass "check shows each key's state and next event"

# A schedule that would be bogus is refused: a ZSK that signs one second
# after it is published.
mkdir -p "$WORK/bad/zones"
BAD=$(key -a ECDSAP256SHA256 -P "$(at 3)" -A "$(at 4)")
sed -e "s|keys: \[.*\]|keys: [../../keys/$KSK, ../../keys/$BAD]|" "$WORK/zones/example.com.yaml" >"$WORK/bad/zones/example.com.yaml"
printf 'zones: [zones]\nstate_dir: state\n' >"$WORK/bad/srvd.yaml"
out=$("$SRVD" check -c "$WORK/bad/srvd.yaml" 2>&1) && fail "check accepted a ZSK that signs 1 s after it is published: $out"
echo "$out" | has "example.com.yaml:[0-9]*:[0-9]*: dnssec.keys: the keys' timing metadata would leave the zone bogus: at .* ZSK $(tag "$BAD") .* starts to sign alone, published only since" \
  || fail "check's reason: $out"
pass "check refuses a schedule whose new ZSK signs before caches can hold it, naming the time"

start_srvd "$WORK/srvd.yaml"
status=$("$SRVD" ctl -s "$WORK/ctl.sock" status)
echo "$status" | has "^  key ZSK $(tag "$ZSK2") ($ZSK2) future; published at $(date -u -d "@$((t0 + 2))" +%Y-%m-%dT%H:%M:%SZ)$" \
  || fail "ctl status does not show ZSK2's state and next event: $status"
next=$(curl -sf "http://127.0.0.1:$MPORT/metrics" | awk '$1 == "srvd_dnssec_next_key_event_timestamp_seconds{zone=\"example.com.\"}" {print $2}')
[ "$next" = $((t0 + 2)) ] || fail "srvd_dnssec_next_key_event_timestamp_seconds $next, expected $((t0 + 2))"
pass "ctl status shows each key's state and next event; the next event is a metric"
start_unbound unbound "$PORT" "validator iterator" "  trust-anchor: \"$ds\""
queries=("sip.example.com NAPTR" "_sip._udp.sip.example.com SRV" "www.example.com A"
         "nothing-here.example.com A" "www.example.com TXT" "x.wild.example.com TXT")
watch_secure 30 unbound
pass "$checks answers through a validating Unbound over 30 s of rollovers: none SERVFAIL, all AD"

for line in "ZSK $(tag "$ZSK2") ($ZSK2) future -> published" "ZSK $(tag "$ZSK2") ($ZSK2) published -> active" \
            "ZSK $(tag "$ZSK1") ($ZSK1) active -> retired" "ZSK $(tag "$ZSK1") ($ZSK1) retired -> removed" \
            "ZSK $(tag "$ZSK3") ($ZSK3) future -> active" "ZSK $(tag "$ZSK2") ($ZSK2) active -> retired" \
            "ZSK $(tag "$ZSK2") ($ZSK2) retired -> removed"; do
  grep -q "notice: dnssec: zone example.com.: $line" "$WORK/srvd.log" || fail "no '$line' in the log: $(grep dnssec "$WORK/srvd.log")"
done
keys=$(kdig @127.0.0.1 -p "$PORT" +dnssec +short example.com DNSKEY | awk '$1 == 256 || $1 == 257 {print $1}' | sort | tr '\n' ' ')
[ "$keys" = "256 257 " ] || fail "the DNSKEY set after the rollovers: $keys"
signer=$(kdig @127.0.0.1 -p "$PORT" +dnssec +norec www.example.com A | awk '$4 == "RRSIG" {print $11}' | sort -u | tr '\n' ' ')
[ "$signer" = "$(tag "$ZSK3") " ] || fail "www A signed by $signer, not ZSK3 $(tag "$ZSK3")"
serials=$(grep -c 'dnssec: signatures of 1 zone(s) renewed' "$WORK/srvd.log")
[ "$serials" -ge 5 ] || fail "$serials re-signings for 6 key events"
pass "each transition logged at notice (pre-publish, roll, removal, double signature); ZSK3 alone signs at the end"

# An algorithm rollover, P-256 (13) to Ed25519 (15), in RFC 6781 4.1.4's
# order: the new keys sign before their DNSKEYs are published, then are
# published; the old DNSKEYs leave before the old signatures do. The
# validator trusts both KSKs' DS, as a parent holds both during the roll.
stop_srvd "$SRVD_PID"
mkdir -p "$WORK/alg/zones" "$WORK/alg/state"
t0=$(($(date +%s) + 5))
OLDK=$(key -a ECDSAP256SHA256 -f KSK -P "$(at -3600)" -A "$(at -3600)" -D "$(at 14)" -I "$(at 20)" 2>/dev/null)
OLDZ=$(key -a ECDSAP256SHA256 -P "$(at -3600)" -A "$(at -3600)" -D "$(at 14)" -I "$(at 20)" 2>/dev/null)
NEWK=$(key -a ED25519 -f KSK -A "$(at 2)" -P "$(at 8)" 2>/dev/null)
NEWZ=$(key -a ED25519 -A "$(at 2)" -P "$(at 8)" 2>/dev/null)
sed -e "s|keys: \[.*\]|keys: [../../keys/$OLDK, ../../keys/$OLDZ, ../../keys/$NEWK, ../../keys/$NEWZ]|" \
  "$WORK/zones/example.com.yaml" >"$WORK/alg/zones/example.com.yaml"
printf 'zones: [zones]\nstate_dir: state\n' >"$WORK/alg/srvd.yaml"
out=$("$SRVD" check -c "$WORK/alg/srvd.yaml" 2>&1) || fail "check of the algorithm rollover: $out"
anchors=""
for k in "$OLDK" "$NEWK"; do
  anchors="$anchors  trust-anchor: \"$(cd "$WORK/keys" && dnssec-dsfromkey -2 "$k.key")\"
"
done
start_srvd "$WORK/alg/srvd.yaml"
start_unbound unbound2 "$PORT" "validator iterator" "$anchors"
watch_secure 26 unbound2
algs=$(kdig @127.0.0.1 -p "$PORT" +dnssec +norec www.example.com A | awk '$4 == "RRSIG" {print $6}' | sort -u | tr '\n' ' ')
[ "$algs" = "15 " ] || fail "after the algorithm rollover www A is signed with algorithms $algs"
keys=$(kdig @127.0.0.1 -p "$PORT" +short example.com DNSKEY | awk '{print $3}' | sort -u | tr '\n' ' ')
[ "$keys" = "15 " ] || fail "after the algorithm rollover the DNSKEY set has algorithms $keys"
for line in "ZSK $(tag "$NEWZ") ($NEWZ) future -> active" "ZSK $(tag "$OLDZ") ($OLDZ) active -> removed"; do
  grep -q "notice: dnssec: zone example.com.: $line" "$WORK/srvd.log" || fail "no '$line' in the log: $(grep dnssec "$WORK/srvd.log")"
done
pass "an algorithm rollover 13 -> 15 in RFC 6781's order: $checks answers through a validating Unbound, none SERVFAIL, all AD; only Ed25519 at the end"
