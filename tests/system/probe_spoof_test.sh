#!/usr/bin/env bash
# Forged health (#25): an off-path attacker who sends SIP responses "from" a
# media server's address and port to every ephemeral port of srvd, the way
# a probe's reply arrives. Only a reply that answers the outstanding probe
# (its branch, From tag, Call-ID and CSeq, 128 random bits each) may change
# a server's state: a hung server stays down under forged 200s, a live one
# stays up under forged 503s.
source "$(dirname "$0")/lib.sh"
command -v sipp >/dev/null || fail "sipp is not installed (scripts/install-deps.sh installs sip-tester)"
mkdir -p "$WORK/zones"
MPORT=$(free_port)
cat >"$WORK/zones/example.com.yaml" <<'Z'
zone: example.com
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: 1 }
nameservers: { ns1: [127.0.0.1] }
health: { probe: sip-options, transport: udp, interval: 300ms, timeout: 250ms, down_after: 2, up_after: 2 }
media_servers:
  hung: { addresses: [192.0.2.41], probe_address: 127.0.0.41 }
  live: { addresses: [192.0.2.42], probe_address: 127.0.0.42 }
proxies:
  p: { targets: [hung, live] }
Z
printf 'zones: [zones]\nmetrics: { listen: "127.0.0.1:%s" }\n' "$MPORT" >"$WORK/srvd.yaml"
gauge() { curl -sf "http://127.0.0.1:$MPORT/metrics" | awk -v k="srvd_media_server_up{zone=\"example.com.\",server=\"$1\"}" '$1 == k {print $2}'; }

# The hung server: its port is open (no ICMP refusal) and it never answers.
python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.41",5060)); time.sleep(120)' &
hung=$!
PIDS+=($hung)
sipp -sf "$(dirname "$0")/sipp/options-200.xml" -i 127.0.0.42 -p 5060 -nostdin >/dev/null 2>&1 &
live=$!
PIDS+=($live)
wait_udp_listening $hung 127.0.0.41 5060 && wait_udp_listening $live 127.0.0.42 5060 || fail "media servers did not start"
start_srvd "$WORK/srvd.yaml"
for _ in $(seq 1 60); do [ "$(gauge hung)" = 0 ] && [ "$(gauge live)" = 1 ] && break; sleep 0.1; done
[ "$(gauge hung)" = 0 ] && [ "$(gauge live)" = 1 ] || fail "before the forgery: hung $(gauge hung), live $(gauge live)"

# 12 s of forgeries at every ephemeral port: 200 OK "from" the hung one,
# 503 "from" the live one, with headers like a real reply's but not the
# probe's tokens. Its state is sampled all along.
ok='SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKforged\r\nFrom: <sip:srvd@127.0.0.1>;tag=forged\r\nTo: <sip:127.0.0.41>;tag=1\r\nCall-ID: forged@srvd\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n'
busy=${ok/200 OK/503 Service Unavailable}
python3 "$(dirname "$0")/spoof_udp.py" 12 127.0.0.41 5060 127.0.0.1 "$ok" 127.0.0.42 5060 127.0.0.1 "$busy" \
  >"$WORK/spoofed.txt" &
SPOOF=$!
PIDS+=($SPOOF)
samples=0 changed=""
while kill -0 "$SPOOF" 2>/dev/null; do
  h=$(gauge hung) l=$(gauge live)
  [ "$h" = 0 ] && [ "$l" = 1 ] || changed="$changed hung=$h,live=$l"
  samples=$((samples + 1))
  sleep 0.2
done
wait "$SPOOF" || fail "the spoofer failed"
sent=$(cat "$WORK/spoofed.txt")
[ "$sent" -gt 100000 ] || fail "only $sent forged datagrams were sent"
[ -z "$changed" ] || fail "forged replies changed states:$changed ($(grep -E 'hung|live' "$WORK/srvd.log" | tail -5))"
grep -E '(hung|live) .* is (up|down|draining)' "$WORK/srvd.log" | grep -v 'hung .* is down' | grep -q . \
  && fail "a state change was logged: $(grep -E '(hung|live) ' "$WORK/srvd.log")"
pass "$sent forged 200s and 503s at every ephemeral port over 12 s: $samples samples, the hung server stayed down, the live one up"
