#!/usr/bin/env bash
# Knot DNS as a standard secondary of srvd, on loopback: it reads srvd's
# catalog zone (RFC 9432) and so learns the zones to transfer, transfers them
# with TSIG, is NOTIFYed after a reload and re-transfers by IXFR, and picks up
# a partner zone added later with no change to its own configuration.
source "$(dirname "$0")/lib.sh"
command -v knotd >/dev/null || fail "knotd is not installed (scripts/install-deps.sh)"
SECRET=$(head -c 32 /dev/urandom | base64)
KNOT_PORT=$(free_port)
mkdir -p "$WORK/zones" "$WORK/state" "$WORK/knot/run" "$WORK/knot/db"
sed 's/serial: 2026112601/serial: auto/' "$SRC/zones/example.com.yaml" >"$WORK/zones/example.com.yaml"
cat >"$WORK/srvd.yaml" <<CONF
zones: [zones]
state_dir: state
catalog: catalog.invalid
keys:
  xfr.example: { algorithm: hmac-sha256, secret: "$SECRET" }
transfer:
  allow: [{ address: 127.0.0.0/8, key: xfr.example }]
  notify: [{ address: "127.0.0.1:$KNOT_PORT", key: xfr.example }]
  notify_timeout: 500ms
CONF
start_srvd "$WORK/srvd.yaml"

# Knot knows srvd and the catalog's name, nothing about the zones in it.
{ knot_server_conf "$WORK/knot" "$KNOT_PORT" info; cat <<CONF; } >"$WORK/knot/knot.conf"
key:
  - id: xfr.example
    algorithm: hmac-sha256
    secret: $SECRET
remote:
  - id: srvd
    address: 127.0.0.1@$PORT
    key: xfr.example
acl:
  - id: from-srvd
    address: 127.0.0.1
    key: xfr.example
    action: notify
  - id: local-axfr
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "$WORK/knot/db"
    master: srvd
    acl: [from-srvd, local-axfr]
    zonefile-sync: -1
    journal-content: changes
zone:
  - domain: catalog.invalid
    catalog-role: interpret
    catalog-template: default
CONF
knotd -c "$WORK/knot/knot.conf" >"$WORK/knot.log" 2>&1 &
PIDS+=($!)

kq() { kdig @127.0.0.1 -p "$KNOT_PORT" +norec +time=1 +retry=0 "$@"; }
# wait_knot NAME TYPE PATTERN LIMIT_S: until Knot's answer matches; prints the seconds taken.
wait_knot() {
  local start=$(date +%s.%N) now
  until kq +short "$1" "$2" 2>/dev/null | grep -q -- "$3"; do
    now=$(date +%s.%N)
    (( $(echo "$now - $start > $4" | bc -l) )) && { echo timeout; return 1; }
    sleep 0.1
  done
  now=$(date +%s.%N); echo "$now - $start" | bc -l | xargs printf '%.1f'
}
serial() { q "$1" SOA | awk '{print $7}'; }

took=$(wait_knot example.com SOA "$(serial example.com)" 60) \
  || { cat "$WORK/knot.log" >&2; fail "Knot did not transfer example.com through the catalog"; }
# transfer.allow demands the key, so these transfers were signed both ways
# (Knot rejects an unsigned answer to a signed request).
for z in catalog.invalid example.com; do
  grep -q "\[$z.\] AXFR, incoming, remote 127.0.0.1@$PORT, finished" "$WORK/knot.log" \
    || { cat "$WORK/knot.log" >&2; fail "Knot did not AXFR $z"; }
  grep -q "transfer of $z. to 127.0.0.1 (key xfr.example.): AXFR" "$WORK/srvd.log" || fail "$z: not a signed AXFR"
done
pass "Knot read the catalog and transferred example.com with TSIG (${took}s)"

# Knot's copy is srvd's default view, record for record.
axfr() { kdig @127.0.0.1 -p "$1" +norec +nocomments +nostats example.com AXFR ${2:-} | grep -v '^;' | grep -v TSIG \
  | awk 'NF {$1=tolower($1); print}' | sort -u; }
axfr "$PORT" "-y hmac-sha256:xfr.example:$SECRET" >"$WORK/srvd.axfr"
axfr "$KNOT_PORT" >"$WORK/knot.axfr"
[ "$(wc -l <"$WORK/srvd.axfr")" -gt 40 ] || fail "srvd's AXFR is short: $(wc -l <"$WORK/srvd.axfr") lines"
diff "$WORK/srvd.axfr" "$WORK/knot.axfr" >&2 || fail "Knot's zone differs from srvd's"
"$SRVD" export -c "$WORK/srvd.yaml" example.com | grep -v '^[;$]' | awk 'NF {$1=tolower($1); print}' \
  | sed 's/\t/ /g' | tr -s ' ' | sort -u >"$WORK/export"
sed 's/\t/ /g' "$WORK/knot.axfr" | tr -s ' ' | sort -u | diff "$WORK/export" - >&2 \
  || fail "Knot's zone differs from srvd export"
for name in "proxy-a.example.com NAPTR" "_sip._udp.proxy-b.example.com SRV" "sip.example.com NAPTR" \
            "_sip._udp.sip.example.com SRV" "proxy-a.example.com A" "www.example.com A"; do
  [ "$(kq +short $name | sort)" = "$(q $name | awk '{$1=$2=$3=$4=""; print substr($0,5)}' | sort)" ] \
    || fail "Knot and srvd disagree on $name: $(kq +short $name | paste -sd' ')"
done
pass "Knot's copy equals srvd's AXFR and 'srvd export' ($(wc -l <"$WORK/knot.axfr") records); answers agree"

# A reload that changes the zone: new serial, NOTIFY, IXFR.
old=$(serial example.com)
echo '  - "added 300 IN TXT \"after reload\""' >>"$WORK/zones/example.com.yaml"
kill -HUP "$SRVD_PID"
for _ in $(seq 1 50); do [ "$(serial example.com)" != "$old" ] && break; sleep 0.1; done
new=$(serial example.com)
[ "$new" -gt "$old" ] || fail "soa.serial: auto did not move forward ($old -> $new)"
took=$(wait_knot added.example.com TXT "after reload" 30) || { cat "$WORK/knot.log" >&2; fail "Knot did not pick up the change"; }
grep -q "notify example.com. serial $new to 127.0.0.1:$KNOT_PORT: acknowledged" "$WORK/srvd.log" \
  || { cat "$WORK/srvd.log" >&2; fail "srvd's NOTIFY was not acknowledged"; }
grep -q "\[example.com.\] IXFR, incoming, remote 127.0.0.1@$PORT, finished" "$WORK/knot.log" \
  || { grep example.com "$WORK/knot.log" >&2; fail "Knot did not re-transfer by IXFR"; }
[ "$(kq +short example.com SOA | awk '{print $3}')" = "$new" ] || fail "Knot's serial is not $new"
pass "reload: serial $old -> $new, NOTIFY acknowledged, Knot re-transferred by IXFR (${took}s)"

# A partner zone added later: only srvd changes; the catalog tells Knot.
sed -e 's/^zone: example.com/zone: partner.example/' -e 's/\.example\.com/.partner.example/g' \
  "$SRC/zones/example.com.yaml" >"$WORK/zones/partner.example.yaml"
kill -HUP "$SRVD_PID"
took=$(wait_knot _sip._udp.proxy-b.partner.example SRV "ms3.partner.example." 30) \
  || { cat "$WORK/knot.log" >&2; fail "Knot did not pick up the new partner zone through the catalog"; }
[ "$(kq +short _sip._udp.proxy-b.partner.example SRV | sort)" = "$(q _sip._udp.proxy-b.partner.example SRV | awk '{$1=$2=$3=$4=""; print substr($0,5)}' | sort)" ] \
  || fail "Knot and srvd disagree on the partner zone"
pass "partner.example added on srvd only: Knot serves it via the catalog (${took}s)"
