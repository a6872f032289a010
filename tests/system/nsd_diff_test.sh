#!/usr/bin/env bash
# Differential test: NSD serving `srvd export` output must give the same
# status, answer section and (for negative answers) authority section as srvd
# itself, for every static name of the example zone.
source "$(dirname "$0")/lib.sh"
command -v nsd >/dev/null || fail "nsd is not installed (scripts/install-deps.sh installs it)"

"$SRVD" export -c "$SRC/conf/srvd.yaml" example.com >"$WORK/example.com.zone"
nsd-checkzone example.com "$WORK/example.com.zone" >/dev/null || fail "nsd-checkzone rejects the export"
named-checkzone example.com "$WORK/example.com.zone" >/dev/null 2>&1 || \
  { command -v named-checkzone >/dev/null && fail "named-checkzone rejects the export"; }
pass "export accepted by nsd-checkzone"

start_srvd "$SRC/conf/srvd.yaml"
NSD_PORT=$(free_port)
{
  nsd_server_conf "$WORK" "$NSD_PORT" "  minimal-responses: yes
  refuse-any: yes"
  printf 'zone:\n  name: example.com\n  zonefile: example.com.zone\n'
} >"$WORK/nsd.conf"
nsd -d -c "$WORK/nsd.conf" &
PIDS+=($!)
wait_for_dns "$NSD_PORT" || { cat "$WORK/nsd.log" >&2; fail "nsd did not start"; }

# status + sorted answer (+ authority when the answer is empty), TTLs included.
view() {
  local port=$1 name=$2 type=$3 out status
  # From 127.0.2.1: the demo database puts it in central, the default region
  # that the export shows.
  out=$(kdig @127.0.0.1 -p "$port" -b 127.0.2.1 +norec +nocookie "$name" "$type")
  status=$(echo "$out" | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
  echo "status $status"
  echo "$out" | awk '/^;; ANSWER SECTION/{f=1;next} /^;; [A-Z]/{f=0} /^$/{f=0} f' | sort
  if [ "$status" != NOERROR ] || ! echo "$out" | has 'ANSWER SECTION'; then
    echo "$out" | awk '/^;; AUTHORITY SECTION/{f=1;next} /^;; [A-Z]/{f=0} /^$/{f=0} f' | sort
  fi
}

checked=0
while read -r name type; do
  [ -z "$name" ] && continue
  a=$(view "$PORT" "$name" "$type")
  b=$(view "$NSD_PORT" "$name" "$type")
  if [ "$a" != "$b" ]; then
    echo "srvd:"; echo "$a"; echo "nsd:"; echo "$b"
    fail "srvd and NSD differ for $name $type"
  fi
  checked=$((checked + 1))
done <<'NAMES'
example.com SOA
example.com NS
example.com TXT
ns1.example.com A
www.example.com A
www.example.com AAAA
mail.example.com MX
mx.example.com A
portal.example.com A
portal.example.com CNAME
desk.phones.example.com A
desk.phones.example.com NAPTR
a.b.phones.example.com SRV
ms1.example.com A
ms3.example.com AAAA
ms2.example.com AAAA
proxy-a.example.com NAPTR
proxy-a.example.com A
proxy-a.example.com AAAA
proxy-b.example.com NAPTR
proxy-b.example.com AAAA
_sip._udp.proxy-a.example.com SRV
_sip._tcp.proxy-a.example.com SRV
_sip._udp.proxy-b.example.com SRV
_sip._tcp.proxy-b.example.com SRV
_udp.proxy-a.example.com SRV
_sip._udp.proxy-a.example.com A
sip.example.com NAPTR
sip.example.com A
_sip._udp.sip.example.com SRV
_sips._tcp.sip.example.com SRV
nothere.example.com A
deep.nothere.example.com TXT
_sip._udp.nothere.example.com SRV
NAMES
pass "srvd and NSD agree on $checked queries"
