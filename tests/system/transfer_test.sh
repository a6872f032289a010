#!/usr/bin/env bash
# Outgoing zone transfers against real clients: NSD as a secondary (AXFR with
# TSIG, NOTIFY after a reload), kdig for what must be refused, IXFR from the
# journal and its AXFR fallback, and `soa.serial: auto` across restarts.
source "$(dirname "$0")/lib.sh"
command -v nsd >/dev/null || fail "nsd is not installed (scripts/install-deps.sh)"
SECRET=$(head -c 32 /dev/urandom | base64)
OTHER=$(head -c 32 /dev/urandom | base64)
NSD_PORT=$(free_port)
METRICS_PORT=$(free_port)
mkdir -p "$WORK/zones" "$WORK/state" "$WORK/nsd"
sed 's/serial: 2026112601/serial: auto/' "$SRC/zones/example.com.yaml" >"$WORK/zones/example.com.yaml"
# The secret in its own file, as tsig-keygen writes one, readable by
# srvd's user only (here root); written in srvd.yaml, check warns.
printf 'key "xfr.example" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$SECRET" >"$WORK/xfr.key"
chmod 0600 "$WORK/xfr.key"
printf 'zones: [zones]\nkeys:\n  xfr.example: { algorithm: hmac-sha256, secret: "%s" }\n' "$SECRET" >"$WORK/inline.yaml"
chmod 0644 "$WORK/inline.yaml"
out=$("$SRVD" check -c "$WORK/inline.yaml" 2>&1) || fail "check inline.yaml: $out"
echo "$out" | has "warning: $WORK/inline.yaml: holds the secret of TSIG key xfr.example. and every user may read it: move it to a .secret_file:." \
  || fail "check does not warn of a secret in a world-readable file: $out"
cat >"$WORK/srvd.yaml" <<CONF
zones: [zones]
state_dir: state
keys:
  xfr.example: { algorithm: hmac-sha256, secret_file: xfr.key }
transfer:
  allow:
    - { address: 127.0.0.1, key: xfr.example }   # signed, from the secondaries' address
    - { address: 127.0.0.44/32 }                 # unsigned, from one address only
  notify: [{ address: "127.0.0.1:$NSD_PORT", key: xfr.example }]
  notify_timeout: 500ms
  notify_retries: 8      # the start-up NOTIFY must outlast NSD's start, however slow
metrics: { listen: "127.0.0.1:$METRICS_PORT" }
CONF
out=$("$SRVD" check -c "$WORK/srvd.yaml" 2>&1) || fail "check with secret_file: $out"
echo "$out" | has 'secret' && fail "check warns with the secret in a 0600 secret_file: $out"
pass "TSIG secret: check warns when it sits in a world-readable srvd.yaml; a 0600 secret_file (tsig-keygen's format) is quiet"
start_srvd "$WORK/srvd.yaml"
serial() { q example.com SOA | awk '{print $7}'; }
first=$(serial)

# What must be refused.
xfr() { kdig @127.0.0.1 -p "$PORT" +norec +time=2 +retry=0 "$@" 2>&1 || true; }  # errors are what some checks look for
xfr -b 127.0.0.1 example.com AXFR | grep -q "REFUSED" || fail "an unsigned AXFR from 127.0.0.1 was not refused"
xfr -b 127.0.0.45 example.com AXFR | grep -q "REFUSED" || fail "an AXFR from a prefix not allowed was not refused"
# NOTAUTH with the TSIG error (RFC 8945), which kdig reports by name.
xfr -b 127.0.0.1 -y "hmac-sha256:xfr.example:$OTHER" example.com AXFR | grep -q "error 'BADSIG'" \
  || fail "an AXFR signed with the wrong secret was not answered BADSIG"
xfr -b 127.0.0.1 -y "hmac-sha256:other.key:$SECRET" example.com AXFR | grep -q "error 'BADKEY'" \
  || fail "an AXFR signed with an unknown key was not answered BADKEY"
xfr -b 127.0.0.44 +notcp example.com AXFR | grep -q "NOTIMP" || fail "AXFR over UDP was not NOTIMP"
xfr -b 127.0.0.44 www.example.com AXFR | grep -q "NOTAUTH" || fail "AXFR of a name that is no zone apex"
pass "refused: unsigned, wrong prefix, wrong secret (NOTAUTH/BADSIG), unknown key (NOTAUTH/BADKEY), UDP (NOTIMP), not a zone"

count() { grep -v '^;' | grep -c "IN"; }
n=$(xfr -b 127.0.0.44 example.com AXFR | count)
[ "$n" -ge 45 ] || fail "unsigned AXFR from the allowed address: $n records"
n=$(xfr -b 127.0.0.1 -y "hmac-sha256:xfr.example:$SECRET" example.com AXFR | count)
[ "$n" -ge 45 ] || fail "signed AXFR: $n records"
pass "allowed: unsigned from 127.0.0.44/32 and signed from 127.0.0.1 ($n records)"
metric() { curl -s "http://127.0.0.1:$METRICS_PORT/metrics" | awk -v k="srvd_transfers_total{type=\"$1\"}" '$1 == k {print $2}'; }
[ "$(metric refused)" = 6 ] && [ "$(metric axfr)" = 2 ] && [ "$(metric ixfr)" = 0 ] \
  || fail "metrics: refused $(metric refused), axfr $(metric axfr), ixfr $(metric ixfr); expected 6, 2, 0"
pass "metrics count 6 refused transfers and 2 AXFRs"

# NSD, a secondary that asks for AXFR with the key.
start_nsd_secondary "$WORK/nsd" "$NSD_PORT" "$PORT" xfr.example "$SECRET"
nq() { kdig @127.0.0.1 -p "$NSD_PORT" +norec +time=1 +retry=0 +short "$@" 2>/dev/null; }
for _ in $(seq 1 100); do [ "$(nq example.com SOA | awk '{print $3}')" = "$first" ] && break; sleep 0.1; done
[ "$(nq example.com SOA | awk '{print $3}')" = "$first" ] || { cat "$WORK/nsd/nsd.log" >&2; fail "NSD did not transfer the zone"; }
for name in "proxy-a.example.com NAPTR" "_sip._udp.proxy-a.example.com SRV" "_sip._tcp.proxy-b.example.com SRV" \
            "ms3.example.com AAAA" "portal.example.com CNAME" "example.com MX" "mail.example.com MX"; do
  [ "$(nq $name | sort)" = "$(q $name | awk '{$1=$2=$3=$4=""; print substr($0,5)}' | sort)" ] \
    || fail "NSD and srvd disagree on $name"
done
pass "NSD transferred example.com (AXFR, TSIG) and answers as srvd does"
# srvd's start-up NOTIFY went out before NSD was running: retried until heard.
for _ in $(seq 1 600); do grep -q "notify example.com. serial $first to 127.0.0.1:$NSD_PORT: acknowledged" "$WORK/srvd.log" && break; sleep 0.1; done
ack=$(grep "notify example.com. serial $first to 127.0.0.1:$NSD_PORT: acknowledged" "$WORK/srvd.log") \
  || { cat "$WORK/srvd.log" >&2; fail "the start-up NOTIFY was never acknowledged"; }
attempt=$(echo "$ack" | sed -n 's/.*(attempt \([0-9]*\)).*/\1/p')
[ "${attempt:-1}" -gt 1 ] || fail "the start-up NOTIFY was acknowledged at once; NSD was not expected yet"
pass "the start-up NOTIFY, sent before NSD ran, was retried and acknowledged (attempt $attempt)"

# Reload with a change: the serial moves, NSD is notified and transfers again.
echo '  - "added 300 IN TXT \"v2\""' >>"$WORK/zones/example.com.yaml"
kill -HUP "$SRVD_PID"
for _ in $(seq 1 50); do [ "$(serial)" != "$first" ] && break; sleep 0.1; done
second=$(serial)
[ "$second" -gt "$first" ] || fail "the serial did not move forward: $first -> $second"
for _ in $(seq 1 100); do [ "$(nq added.example.com TXT)" = '"v2"' ] && break; sleep 0.1; done
[ "$(nq added.example.com TXT)" = '"v2"' ] || { cat "$WORK/nsd/nsd.log" >&2; fail "NSD did not pick up the change"; }
for _ in $(seq 1 50); do grep -q "notify example.com. serial $second to 127.0.0.1:$NSD_PORT: acknowledged" "$WORK/srvd.log" && break; sleep 0.1; done
grep -q "notify example.com. serial $second to 127.0.0.1:$NSD_PORT: acknowledged" "$WORK/srvd.log" \
  || fail "NSD did not acknowledge the NOTIFY"
pass "reload: serial $first -> $second, NOTIFY acknowledged by NSD, which transferred again"

# IXFR from the journal: only the difference, in the RFC 1995 layout.
ixfr() { xfr -b 127.0.0.44 example.com "IXFR=$1" | grep -v '^;' | grep 'IN'; }
out=$(ixfr "$first")
[ "$(echo "$out" | grep -c SOA)" = 4 ] || fail "IXFR $first: expected 4 SOA records: $out"
[ "$(echo "$out" | grep -vc SOA)" = 1 ] && echo "$out" | has 'added.example.com.*"v2"' \
  || fail "IXFR $first: expected exactly the added record: $out"
[ "$(ixfr "$second" | grep -c SOA)" = 1 ] || fail "IXFR from the current serial is not a single SOA"
[ "$(ixfr 12345 | count)" -ge 45 ] || fail "IXFR from an unknown serial did not fall back to the whole zone"
pass "IXFR: $first -> $second sends one record; current serial: one SOA; unknown serial: full zone"

# The serial is kept across restarts: same content, same serial; never backwards.
stop_srvd "$SRVD_PID"
start_srvd "$WORK/srvd.yaml"
[ "$(serial)" = "$second" ] || fail "after a restart with the same content: $(serial), expected $second"
sed -i '$d' "$WORK/zones/example.com.yaml"  # back to the first content
stop_srvd "$SRVD_PID"
start_srvd "$WORK/srvd.yaml"
third=$(serial)
[ "$third" -gt "$second" ] || fail "content reverted across a restart: serial $third, not above $second"
pass "serial: auto across restarts: unchanged content keeps $second, reverted content gets $third"
