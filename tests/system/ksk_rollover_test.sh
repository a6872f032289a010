#!/usr/bin/env bash
# A KSK rollover with a real parent (#24): NSD serves a signed com. holding
# example.com's DS, and a validating Unbound trusts only com.'s key, so every
# answer from srvd is validated through the DS in the parent. The new KSK
# (dnssec-keygen timing metadata) is published and signs the DNSKEY set next
# to the old one (double-KSK, RFC 7583 3.3.2); the test plays the parental
# agent of RFC 7344, copying srvd's CDS into the parent's DS whenever it
# changes. The CDS must change at the key events (old -> old+new -> new) and
# no answer may ever be SERVFAIL or lose AD.
source "$(dirname "$0")/lib.sh"
for tool in dnssec-keygen dnssec-signzone dnssec-dsfromkey nsd unbound; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install-deps.sh installs it)"
done
mkdir -p "$WORK/zones" "$WORK/keys" "$WORK/state" "$WORK/parent"
t0=$(($(date +%s) + 6))
at() { date -u -d "@$((t0 + $1))" +%Y%m%d%H%M%S; }
key() { (cd "$WORK/keys" && dnssec-keygen -q "$@" example.com); }
tag() { echo "$1" | sed 's/.*+0*//'; }
ZSK=$(key -a ECDSAP256SHA256 -P "$(at -3600)" -A "$(at -3600)")
KSK1=$(key -a ECDSAP256SHA256 -f KSK -P "$(at -3600)" -A "$(at -3600)" -I "$(at 16)" -D "$(at 22)")
KSK2=$(key -a ECDSAP256SHA256 -f KSK -P "$(at 2)" -A "$(at 2)")
rollover_zone "$WORK/zones/example.com.yaml" 2s "../keys/$KSK1" "../keys/$KSK2" "../keys/$ZSK"
printf 'zones: [zones]\nstate_dir: state\n' >"$WORK/srvd.yaml"
out=$("$SRVD" check -c "$WORK/srvd.yaml" 2>&1) || fail "check: $out"
start_srvd "$WORK/srvd.yaml"

# The parent: com., one key, signed by dnssec-signzone, served by NSD.
PKEY=$(cd "$WORK/parent" && dnssec-keygen -q -a ECDSAP256SHA256 -f KSK com)
NSD_PORT=$(free_port)
{
  nsd_server_conf "$WORK/parent" "$NSD_PORT"
  printf 'zone:\n  name: com\n  zonefile: com.signed\n'
} >"$WORK/parent/nsd.conf"
serial=1
# publish_ds DS_RDATA...: the parent's zone with these DS for example.com,
# signed with a new serial; NSD rereads it on SIGHUP.
publish_ds() {
  serial=$((serial + 1))
  {
    echo "\$TTL 2"
    echo "com. 2 IN SOA ns.com. hostmaster.com. $serial 2 2 3600 2"
    echo "com. 2 IN NS ns.com."
    echo "ns.com. 2 IN A 127.0.0.1"
    echo "example.com. 2 IN NS ns1.example.com."
    echo "ns1.example.com. 2 IN A 127.0.0.1"
    for ds in "$@"; do echo "example.com. 2 IN DS $ds"; done
    cat "$WORK/parent/$PKEY.key"
  } >"$WORK/parent/com.zone"
  (cd "$WORK/parent" && dnssec-signzone -q -z -o com. -f com.tmp com.zone "$PKEY" >/dev/null) \
    || fail "dnssec-signzone of the parent failed"
  mv "$WORK/parent/com.tmp" "$WORK/parent/com.signed"
  touch -d "@$((serial + $(date +%s)))" "$WORK/parent/com.signed"  # a new mtime, even within one second
  [ -n "${NSD_PID:-}" ] && kill -HUP "$NSD_PID"
  return 0
}
cds_now() { kdig @127.0.0.1 -p "$PORT" +short example.com CDS | sort; }
parent_ds() { kdig @127.0.0.1 -p "$NSD_PORT" +short +norec example.com DS | sort; }
cds=$(cds_now)
[ "$(echo "$cds" | awk '{print $1}' | sort -u)" = "$(tag "$KSK1")" ] || fail "CDS before the rollover: $cds"
mapfile -t rows <<<"$cds"
publish_ds "${rows[@]}"
nsd -d -c "$WORK/parent/nsd.conf" &
NSD_PID=$!
PIDS+=($NSD_PID)
wait_for_dns "$NSD_PORT" || fail "NSD did not start: $(cat "$WORK/parent/nsd.log")"

# The parental agent: when srvd's CDS set changes, the parent's DS follows
# (within a round of the watch, as a parent scanning CDS would, later).
seen=("$(echo "$cds" | awk '{print $1}' | sort -u | paste -sd,)")
agent() {
  local now rows
  now=$(cds_now)
  [ "$now" = "$cds" ] && return 0
  cds=$now
  seen+=("$(echo "$cds" | awk '{print $1}' | sort -u | paste -sd,)@$(($(date +%s) - t0))")
  mapfile -t rows <<<"$cds"
  publish_ds "${rows[@]}"
  for _ in $(seq 50); do [ "$(parent_ds)" = "$cds" ] && return 0; sleep 0.1; done
  fail "NSD still serves DS $(parent_ds) after the parent zone got $cds: $(tail -3 "$WORK/parent/nsd.log")"
}

start_unbound unbound "$PORT" "validator iterator" "  trust-anchor: \"$(cd "$WORK/parent" && dnssec-dsfromkey -2 "$PKEY.key")\"
stub-zone:
  name: \"com\"
  stub-addr: 127.0.0.1@$NSD_PORT"
queries=("sip.example.com NAPTR" "_sip._udp.sip.example.com SRV" "www.example.com A"
         "nothing-here.example.com A" "www.example.com TXT" "x.wild.example.com TXT")
watch_secure 28 unbound agent
pass "$checks answers through a validating Unbound anchored at the parent over a KSK rollover: none SERVFAIL, all AD"

# The CDS went old -> old+new (once the new KSK signs) -> new (once the old
# one is retired), each change on time.
t1=$(tag "$KSK1") t2=$(tag "$KSK2")
[ "${#seen[@]}" = 3 ] || fail "CDS sets seen (key tags@seconds after t0): ${seen[*]}"
[ "${seen[0]}" = "$t1" ] || fail "first CDS ${seen[0]}"
both=$(printf '%s\n' "$t1" "$t2" | sort | paste -sd,)
[ "${seen[1]%@*}" = "$both" ] && [ "${seen[1]#*@}" -ge 2 ] && [ "${seen[1]#*@}" -le 6 ] \
  || fail "second CDS set (tags@seconds after t0) ${seen[1]}, expected $both from t0+2"
[ "${seen[2]%@*}" = "$t2" ] && [ "${seen[2]#*@}" -ge 16 ] && [ "${seen[2]#*@}" -le 20 ] \
  || fail "third CDS set ${seen[2]}, expected $t2 from t0+16"
[ "$(parent_ds | awk '{print $1}')" = "$t2" ] || fail "the parent's DS at the end: $(parent_ds)"
ksks=$(kdig @127.0.0.1 -p "$PORT" +short example.com DNSKEY | awk '$1 == 257' | wc -l)
[ "$ksks" = 1 ] || fail "$ksks KSKs in the DNSKEY set after the old one's Delete time"
pass "CDS changed on time: ${seen[*]} (tags@s); the parent's DS and the DNSKEY set end with the new KSK only"

for line in "KSK $t2 ($KSK2) future -> active" "KSK $t1 ($KSK1) active -> retired" "KSK $t1 ($KSK1) retired -> removed"; do
  grep -q "notice: dnssec: zone example.com.: $line" "$WORK/srvd.log" || fail "no '$line' in the log: $(grep dnssec "$WORK/srvd.log")"
done
pass "each KSK transition logged at notice"
