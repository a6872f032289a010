#!/usr/bin/env bash
# Probes per transport (DESIGN 6, issue #28.5), with SIPp playing the media
# servers over UDP and over TCP, and stunnel4 (a TLS terminator from Debian)
# in front of the TCP one for TLS:
#  * each SRV set follows its own transport's probe: a server that answers
#    over UDP and not over TLS leaves _sips._tcp only; _sip._tcp (not probed)
#    and the proxy's A follow the first transport listed (udp);
#  * OPTIONS over TLS sends the server's name as SNI: ms1's stunnel serves a
#    wrong certificate unless the client names ms1.tls.example;
#  * with health.tls_ca_file the certificate must chain to the CA and carry
#    the name: ms3's names another host and is down over TLS, while a zone
#    without a CA file probes the same TLS server as up;
#  * status and metrics show each transport's state.
source "$(dirname "$0")/lib.sh"
command -v sipp >/dev/null || fail "sipp is not installed (scripts/install-deps.sh installs sip-tester)"
command -v stunnel4 >/dev/null || fail "stunnel4 is not installed (scripts/install-deps.sh installs it)"
command -v openssl >/dev/null || fail "openssl is not installed"
mkdir -p "$WORK/zones" "$WORK/tls"
MPORT=$(free_port)

# A CA, a certificate for each media server's name and one for another host.
cd "$WORK/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=srvd test CA" \
  -keyout ca.key -out ca.pem 2>/dev/null
cert() { # cert FILE NAME
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf 'subjectAltName=DNS:%s\n' "$2" >"$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.crt" 2>/dev/null
  cat "$1.crt" "$1.key" >"$1.pem"
}
cert ms1 ms1.tls.example
cert ms2 ms2.tls.example
cert other other.example
# Another CA, that signed none of them.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=srvd other CA" \
  -keyout ca2.key -out ca2.pem 2>/dev/null
cd - >/dev/null

cat >"$WORK/zones/tls.example.yaml" <<Z
zone: tls.example
soa: { primary: ns1.tls.example, contact: hostmaster.tls.example, serial: 1 }
nameservers: { ns1: [127.0.0.1] }
health: { transport: [udp, tls], interval: 300ms, timeout: 200ms, down_after: 2, up_after: 2, tls_ca_file: $WORK/tls/ca.pem }
media_servers:
  ms1: { addresses: [192.0.2.41], probe_address: 127.0.0.41 }
  ms2: { addresses: [192.0.2.42], probe_address: 127.0.0.42 }
  ms3: { addresses: [192.0.2.43], probe_address: 127.0.0.43 }
proxies:
  p: { transports: [udp, tcp, tls], targets: [ms1, ms2, ms3] }
Z
# The same TLS server without a CA file: no certificate check, so ms3 is up.
cat >"$WORK/zones/nocheck.example.yaml" <<'Z'
zone: nocheck.example
soa: { primary: ns1.nocheck.example, contact: hostmaster.nocheck.example, serial: 1 }
nameservers: { ns1: [127.0.0.1] }
health: { transport: tls, interval: 300ms, timeout: 200ms, down_after: 2, up_after: 2 }
media_servers:
  ms3: { addresses: [192.0.2.43], probe_address: 127.0.0.43 }
  ms9: { addresses: [192.0.2.49], probe_address: 127.0.0.49 }
proxies:
  p: { transports: [tls], targets: [ms3, ms9] }
Z
printf 'zones: [zones]\nstate_dir: state\ncontrol: { socket: ctl.sock }\nmetrics: { listen: "127.0.0.1:%s" }\n' "$MPORT" >"$WORK/srvd.yaml"

declare -A RUN
start_sipp() { # start_sipp N u1|t1: a media server on 127.0.0.4N:5060
  sipp -sf "$(dirname "$0")/sipp/options-200.xml" -i "127.0.0.4$1" -p 5060 -t "$2" -nostdin \
    -trace_err -error_file "$WORK/sipp-$1-$2.err" >/dev/null 2>&1 &
  RUN[$1$2]=$!
  PIDS+=("$!")
}
# start_tls N CERT: stunnel on 127.0.0.4N:5061 in front of SIPp's TCP port. ms1's
# default certificate names another host; only a client that sends SNI
# ms1.tls.example gets the right one.
start_tls() {
  local conf="$WORK/stunnel-$1.conf"
  {
    printf 'foreground = yes\npid =\ndebug = 4\noutput = %s/stunnel-%s.log\n' "$WORK" "$1"
    printf '[ms%s]\nclient = no\naccept = 127.0.0.4%s:5061\nconnect = 127.0.0.4%s:5060\ncert = %s/tls/%s.pem\n' \
      "$1" "$1" "$1" "$WORK" "$2"
    if [ "$1" = 1 ]; then
      printf '[ms1-named]\nsni = ms1:ms1.tls.example\nconnect = 127.0.0.41:5060\ncert = %s/tls/ms1.pem\n' "$WORK"
    fi
  } >"$conf"
  stunnel4 "$conf" >/dev/null 2>&1 &
  RUN[$1tls]=$!
  PIDS+=("$!")
  for _ in $(seq 1 50); do ss -Hlnt "src 127.0.0.4$1 and sport = :5061" | has . && return 0; sleep 0.1; done
  fail "stunnel for ms$1 did not start: $(cat "$WORK/stunnel-$1.log" 2>/dev/null)"
}
stop() { kill "${RUN[$1]}" 2>/dev/null || true; wait "${RUN[$1]}" 2>/dev/null || true; }

for n in 1 2 3; do start_sipp "$n" u1; start_sipp "$n" t1; done
for n in 1 2 3; do wait_udp_listening "${RUN[${n}u1]}" "127.0.0.4$n" 5060 || fail "SIPp ms$n (udp) did not start"; done
start_tls 1 other # the right certificate only by SNI
start_tls 2 ms2
start_tls 3 other # names another host: fails the CA check

set_of() { # set_of SRV-PREFIX [ZONE]: the targets' first labels, in answer order
  q "$1.p.${2:-tls.example}" SRV | awk '{print $8}' | cut -d. -f1 | sort | paste -sd' '
}
# wait_sets UDP TCP TLS LIMIT_S: until the three SRV sets are as given.
wait_sets() {
  local end=$((SECONDS + $4))
  while [ "$SECONDS" -le "$end" ]; do
    [ "$(set_of _sip._udp)" = "$1" ] && [ "$(set_of _sip._tcp)" = "$2" ] &&
      [ "$(set_of _sips._tcp)" = "$3" ] && return 0
    sleep 0.1
  done
  return 1
}
sets() { echo "udp [$(set_of _sip._udp)] tcp [$(set_of _sip._tcp)] tls [$(set_of _sips._tcp)]"; }
metric() { # metric SERVER TRANSPORT [ZONE]
  curl -sf "http://127.0.0.1:$MPORT/metrics" |
    awk -v k="srvd_media_server_transport_up{zone=\"${3:-tls.example}.\",server=\"$1\",transport=\"$2\"}" '$1 == k {print $2}'
}

start_srvd "$WORK/srvd.yaml"
wait_sets "ms1 ms2 ms3" "ms1 ms2 ms3" "ms1 ms2" 5 \
  || fail "ms3's certificate names another host: out of _sips._tcp only; $(sets); $(grep health: "$WORK/srvd.log")"
pass "each SRV set follows its transport: ms3 fails the CA check over TLS, stays over UDP and (unprobed) TCP"
# Not "not probed yet": every probe has answered or failed.
status=$("$SRVD" ctl -c "$WORK/srvd.yaml" status)
echo "$status" | has '^  tls.example. ms1 (udp): up since .*last probe: answered 200' \
  || fail "status: ms1 over udp: $status"
echo "$status" | has '^  tls.example. ms1 (tls): up since .*last probe: answered 200' \
  || fail "status: ms1 over tls (needs SNI for the right certificate): $status"
echo "$status" | has '^  tls.example. ms3 (tls): down since .*last probe: TLS handshake: .*certificate verify failed' \
  || fail "status: ms3 over tls: $status"
echo "$status" | has '^  nocheck.example. ms3: up since .*answered 200' \
  || fail "without a CA file the same TLS server is up: $status"
echo "$status" | has '^  nocheck.example. ms9: \(down\|unknown\)' \
  || fail "nothing listens for ms9: $status"
"$SRVD" ctl -c "$WORK/srvd.yaml" status --json | python3 -c '
import json, sys
s = json.load(sys.stdin)
rows = {(m["zone"], m["server"], m["transport"]): m["state"] for m in s["media_servers"]}
assert rows[("tls.example.", "ms3", "tls")] == "down", rows
assert rows[("tls.example.", "ms3", "udp")] == "up", rows
' || fail "status --json per transport"
[ "$(metric ms3 tls)" = 0 ] && [ "$(metric ms3 udp)" = 1 ] && [ "$(metric ms1 tls)" = 1 ] \
  || fail "srvd_media_server_transport_up: ms3 tls $(metric ms3 tls) udp $(metric ms3 udp), ms1 tls $(metric ms1 tls)"
[ "$(metric ms3 tls nocheck.example)" = 1 ] || fail "nocheck ms3 tls: $(metric ms3 tls nocheck.example)"
pass "status and metrics per transport; SNI sent (ms1's right certificate is served by name only)"

# The operator replaces the CA file: from the next probe on, certificates
# are checked against the new one (srvd keeps one TLS context per CA file,
# made again when the file changes). Signed by neither: ms2 fails over TLS;
# the CA back: ms2 up again.
tls_state() { # tls_state SERVER: its TLS row's state in status
  "$SRVD" ctl -c "$WORK/srvd.yaml" status | awk -v s="$1" '$1 == "tls.example." && $2 == s && $3 == "(tls):" {print $4}'
}
wait_tls() { # wait_tls SERVER STATE
  local end=$((SECONDS + 5))
  while [ "$SECONDS" -le "$end" ]; do
    [ "$(tls_state "$1")" = "$2" ] && return 0
    sleep 0.1
  done
  return 1
}
cp "$WORK/tls/ca.pem" "$WORK/tls/ca.saved"
cp "$WORK/tls/ca2.pem" "$WORK/tls/ca.pem"
wait_tls ms2 down || fail "a CA file that signed nothing: ms2 over tls $(tls_state ms2)"
"$SRVD" ctl -c "$WORK/srvd.yaml" status | has '^  tls.example. ms2 (tls): down since .*certificate verify failed' \
  || fail "status after the CA changed: $("$SRVD" ctl -c "$WORK/srvd.yaml" status)"
cp "$WORK/tls/ca.saved" "$WORK/tls/ca.pem"
wait_tls ms2 up || fail "the CA back: ms2 over tls $(tls_state ms2)"
pass "a CA file replaced on disk applies from the next probe"

# ms1's TLS terminator stops: ms1 leaves _sips._tcp only.
stop 1tls
wait_sets "ms1 ms2 ms3" "ms1 ms2 ms3" "ms2" 5 || fail "ms1 down over TLS only: $(sets)"
[ "$(q p.tls.example A | awk '{print $5}')" = 192.0.2.41 ] \
  || fail "the proxy's A follows udp, where ms1 is up: $(q p.tls.example A)"
grep -q 'health: tls.example. ms1 (tls 127.0.0.41:5061) is down' "$WORK/srvd.log" \
  || fail "the log names the transport: $(grep health: "$WORK/srvd.log")"
pass "TLS down, UDP up: out of _sips._tcp, kept in _sip._udp, _sip._tcp and the A answer"

# It comes back over TLS; then ms2's SIPp over UDP stops: ms2 leaves
# _sip._udp and _sip._tcp (which follows udp) but stays in _sips._tcp.
start_tls 1 other
wait_sets "ms1 ms2 ms3" "ms1 ms2 ms3" "ms1 ms2" 5 || fail "ms1 back over TLS: $(sets)"
stop 2u1
wait_sets "ms1 ms3" "ms1 ms3" "ms1 ms2" 5 || fail "ms2 down over UDP only: $(sets)"
[ "$(metric ms2 udp)" = 0 ] && [ "$(metric ms2 tls)" = 1 ] \
  || fail "ms2: udp $(metric ms2 udp) tls $(metric ms2 tls)"
pass "UDP down, TLS up: out of _sip._udp and _sip._tcp, kept in _sips._tcp"

# A server's own probe_transport and probe_ports, by reload: ms2 is probed
# over TLS only, at a port where nothing listens.
sed -i 's/  ms2: { addresses: \[192.0.2.42\], probe_address: 127.0.0.42 }/  ms2: { addresses: [192.0.2.42], probe_address: 127.0.0.42, probe_transport: tls, probe_ports: { tls: 5071 } }/' \
  "$WORK/zones/tls.example.yaml"
"$SRVD" ctl -c "$WORK/srvd.yaml" reload >/dev/null || fail "reload"
# Its only probe (tls) decides every transport: down everywhere.
wait_sets "ms1 ms3" "ms1 ms3" "ms1" 5 || fail "ms2 probed over TLS at 5071 only: $(sets)"
pass "probe_transport and probe_ports per media server"
