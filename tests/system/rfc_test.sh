#!/usr/bin/env bash
# Protocol edge cases, srvd beside Knot DNS serving srvd's own export of the
# same zone: every error to a query with OPT carries OPT (RFC 6891 7), with
# the question echoed where it could be read; QCLASS ANY is answered from IN;
# REFUSED for a name outside our zones says why (EDE 20, RFC 8914); a
# rate-limit slip keeps its OPT.
source "$(dirname "$0")/lib.sh"
command -v knotd >/dev/null || fail "knotd is not installed (scripts/install-deps.sh)"
mkdir -p "$WORK/knot/run" "$WORK/knot/db" "$WORK/zones"
# The example zone, plus a delegation to 10 in-domain name servers (A and
# AAAA glue each) and a proxy whose first tier is IPv6-only.
sed -e 's/^media_servers:$/media_servers:\n  ms6: { addresses: ["2001:db8::66"] }/' \
    -e 's/^proxies:$/proxies:\n  v6first: { targets: [ms6, ms1] }/' \
    "$SRC/zones/example.com.yaml" >"$WORK/zones/example.com.yaml"
for i in 0 1 2 3 4 5 6 7 8 9; do
  printf '  - "big IN NS ns%s.big"\n  - "ns%s.big IN A 192.0.2.%s"\n  - "ns%s.big IN AAAA 2001:db8::%s"\n' \
    "$i" "$i" "$((100 + i))" "$i" "$((100 + i))" >>"$WORK/zones/example.com.yaml"
done
printf 'zones: [zones]\nnsid: ns-test-7\n' >"$WORK/srvd.yaml"
"$SRVD" export -c "$WORK/srvd.yaml" example.com >"$WORK/knot/example.com.zone"
KNOT_PORT=$(free_port)
cat >"$WORK/knot/knot.conf" <<CONF
server:
  rundir: "$WORK/knot/run"
  listen: 127.0.0.1@$KNOT_PORT
  identity: ns-test-7
  nsid: ns-test-7
database:
  storage: "$WORK/knot/db"
zone:
  - domain: example.com
    file: "$WORK/knot/example.com.zone"
    zonefile-load: whole
    journal-content: none
CONF
knotd -c "$WORK/knot/knot.conf" >"$WORK/knot.log" 2>&1 &
PIDS+=($!)
start_srvd "$WORK/srvd.yaml"
knot_up=no
for _ in $(seq 1 150); do
  kdig @127.0.0.1 -p "$KNOT_PORT" +time=1 +retry=0 example.com SOA 2>/dev/null | grep -q 'status: NOERROR' && { knot_up=yes; break; }
  sleep 0.1
done
[ "$knot_up" = yes ] || fail "Knot did not serve the export: $(tail -5 "$WORK/knot.log")"

# raw PORT HEX: one UDP datagram to 127.0.0.1:PORT; prints the reply in hex.
raw() {
  exec 3<>"/dev/udp/127.0.0.1/$1"
  printf "$(echo "$2" | sed 's/../\\x&/g')" >&3
  timeout 2 dd bs=65535 count=1 <&3 2>/dev/null | od -An -tx1 -v | tr -d ' \n'
  exec 3<&-
}
# shape HEX: "rcode=N qd=N an=N ar=N opt=yes|no" of a reply.
shape() {
  local h=$1
  [ -n "$h" ] || { echo "no reply"; return; }
  local opt=no
  # The OPT is the last record: root owner, TYPE 41 (00 00 29).
  [ $((16#${h:20:4})) -gt 0 ] && echo "$h" | has '000029' && opt=yes
  echo "rcode=$((16#${h:7:1})) qd=$((16#${h:8:4})) an=$((16#${h:12:4})) ar=$((16#${h:20:4})) opt=$opt"
}
WWW=03777777076578616d706c6503636f6d00   # www.example.com
OPT=0000290200000000000000                 # OPT, 512 bytes, no options
# ecs HEX: OPT with one ECS option of that payload.
ecs() { local n=$((${#1} / 2)); printf '00002902000000000000%02x0008%04x%s' $((n + 4)) "$n" "$1"; }

check() { # check WHAT EXPECTED HEX: srvd must match EXPECTED; Knot is shown beside it
  local what=$1 want=$2 got knot
  got=$(shape "$(raw "$PORT" "$3")")
  knot=$(shape "$(raw "$KNOT_PORT" "$3")")
  [ "$got" = "$want" ] || fail "$what: srvd $got, expected $want (Knot: $knot)"
  if [ "$got" = "$knot" ]; then pass "$what: $got, as Knot"; else pass "$what: $got (Knot: $knot)"; fi
}
check "opcode STATUS with OPT: NOTIMP" "rcode=4 qd=1 an=0 ar=1 opt=yes" "abcd1000000100000000000${WWW:0:0}1${WWW}00010001${OPT}"
check "QDCOUNT 0 with OPT: FORMERR" "rcode=1 qd=0 an=0 ar=1 opt=yes" "abcd00000000000000000001${OPT}"
check "QTYPE OPT: FORMERR" "rcode=1 qd=1 an=0 ar=1 opt=yes" "abcd00000001000000000001${WWW}00290001${OPT}"
check "ECS family 3: FORMERR" "rcode=1 qd=1 an=0 ar=1 opt=yes" "abcd00000001000000000001${WWW}00010001$(ecs 00031800c00002)"
check "ECS scope set: FORMERR" "rcode=1 qd=1 an=0 ar=1 opt=yes" "abcd00000001000000000001${WWW}00010001$(ecs 00011808c00002)"
check "ECS address longer than its prefix: FORMERR" "rcode=1 qd=1 an=0 ar=1 opt=yes" "abcd00000001000000000001${WWW}00010001$(ecs 00011000c00002)"
check "QCLASS ANY: answered from IN" "rcode=0 qd=1 an=1 ar=1 opt=yes" "abcd00000001000000000001${WWW}000100ff${OPT}"

# EDE 20 on REFUSED outside our zones, as Knot sends it.
for port in "$PORT" "$KNOT_PORT"; do
  out=$(dig @127.0.0.1 -p "$port" +norec www.example.org A)
  echo "$out" | has 'status: REFUSED' || fail "example.org on $port: $out"
  echo "$out" | has 'EDE: 20 (Not Authoritative)' || fail "no EDE 20 from $port: $out"
done
pass "REFUSED outside our zones carries EDE 20 (Not Authoritative), as Knot"

# A referral to 10 in-domain name servers: as compact as Knot's; without EDNS
# the glue that fits, and TC (RFC 9471: all in-domain glue, or TC).
size() { kdig @127.0.0.1 -p "$1" +norec +edns "${@:2}" 2>&1 | sed -n 's/.*Received \([0-9]*\) B.*/\1/p'; }
ours=$(size "$PORT" host.big.example.com A); theirs=$(size "$KNOT_PORT" host.big.example.com A)
[ -n "$ours" ] && [ "$ours" -le "$theirs" ] || fail "10-NS referral: srvd $ours bytes, Knot $theirs"
out=$(dig @127.0.0.1 -p "$PORT" +norec +noedns +ignore host.big.example.com A)
echo "$out" | has 'flags: qr tc;' || fail "referral without EDNS whose glue does not fit: no TC: $out"
glue=$(echo "$out" | awk '/^;; ADDITIONAL SECTION/{f=1;next} /^$/{f=0} f' | wc -l)
[ "$glue" -gt 0 ] && [ "$glue" -lt 20 ] || fail "referral without EDNS: $glue glue records"
pass "10-NS referral: srvd $ours bytes, Knot $theirs; without EDNS $glue of 20 glue records and TC"

# NAPTR without EDNS: the additional section keeps the first SRV set with its
# targets' addresses (a phone's whole first choice), not SRV sets alone.
out=$(dig @127.0.0.1 -p "$PORT" +norec +noedns proxy-b.example.com NAPTR)
add=$(echo "$out" | awk '/^;; ADDITIONAL SECTION/{f=1;next} /^$/{f=0} f{print $1, $4}' | head -7 | tr '\n' ' ')
[ "$add" = "_sip._udp.proxy-b.example.com. SRV _sip._udp.proxy-b.example.com. SRV _sip._udp.proxy-b.example.com. SRV ms3.example.com. A ms3.example.com. AAAA ms2.example.com. A ms1.example.com. A " ] \
  || fail "NAPTR without EDNS, additional: $add"
echo "$out" | has 'flags: qr aa;' || fail "NAPTR without EDNS: $out"
pass "proxy-b NAPTR without EDNS: $(echo "$out" | sed -n 's/.*MSG SIZE  rcvd: //p') bytes, the first SRV set then its addresses"

# A proxy whose first tier is IPv6-only still gives an IPv4-only phone an A:
# from the first tier that has one.
[ "$(q v6first.example.com A | awk '{print $5}')" = 127.0.0.11 ] || fail "v6first A: $(q v6first.example.com A)"
[ "$(q v6first.example.com AAAA | awk '{print $5}')" = 2001:db8::66 ] || fail "v6first AAAA: $(q v6first.example.com AAAA)"
pass "IPv6-only first tier: AAAA from it, A from the next tier"

# Identity for anycast fleets: the NSID option and id.server / hostname.bind
# CH TXT give the configured name, as Knot's `nsid` and `identity` do.
for port in "$PORT" "$KNOT_PORT"; do
  out=$(dig @127.0.0.1 -p "$port" +norec +nsid www.example.com A)
  echo "$out" | has 'NSID: .*("ns-test-7")' || fail "NSID from $port: $out"
  for name in id.server hostname.bind; do
    txt=$(dig @127.0.0.1 -p "$port" +norec +short CH TXT "$name")
    [ "$txt" = '"ns-test-7"' ] || fail "$name CH TXT from $port: $txt"
  done
done
out=$(dig @127.0.0.1 -p "$PORT" +norec www.example.com A)
echo "$out" | has 'NSID' && fail "NSID sent to a query that did not ask: $out"
pass "NSID and id.server / hostname.bind CH TXT: ns-test-7, as Knot"

# A rate-limit slip (TC, so the client retries over TCP) keeps the OPT.
mkdir -p "$WORK/rrl"
printf 'zones: [%s/zones/example.com.yaml]\nthreads: 1\nrrl: { responses_per_second: 1, slip: 1 }\n' "$SRC" >"$WORK/rrl/srvd.yaml"
start_srvd "$WORK/rrl/srvd.yaml"
query="abcd00000001000000000001${WWW}00010001${OPT}"
# Five queries at once against 1/s: at least three fall in one second, so
# some come back truncated (slip 1), whichever second boundary passes.
slipped=
for _ in 1 2 3 4 5; do
  h=$(raw "$PORT" "$query")
  [ -n "$h" ] && [ $((16#${h:4:2} & 2)) = 2 ] && slipped=$h
done
[ -n "$slipped" ] || fail "five queries at 1/s: none truncated"
h=$slipped
[ "$(shape "$h")" = "rcode=0 qd=1 an=0 ar=1 opt=yes" ] || fail "slip: $(shape "$h") ($h)"
pass "a rate-limit slip: TC, the question and the OPT ($(( ${#h} / 2 )) bytes)"
out=$(dig @127.0.0.1 -p "$PORT" +norec CH TXT id.server)
echo "$out" | has 'status: REFUSED' || fail "id.server without nsid: $out"
pass "without nsid: id.server CH TXT is REFUSED"
