#!/usr/bin/env bash
# The seed's diagram, with real SIP software: SIPp plays media servers 1-3 on
# 127.0.0.11-13 (registrars that also answer OPTIONS), baresip plays phones
# provisioned with a proxy name and no port, resolving NAPTR -> SRV -> A
# through srvd. Every assertion reads what the media servers received.
source "$(dirname "$0")/lib.sh"
for tool in sipp baresip; do command -v $tool >/dev/null || fail "$tool is not installed (scripts/install-deps.sh)"; done
mkdir -p "$WORK/zones"
sed 's/^ttl: 300/ttl: 1/' "$SRC/zones/example.com.yaml" >"$WORK/zones/example.com.yaml"   # phones re-resolve at once
printf 'zones: [zones]\n' >"$WORK/srvd.yaml"

declare -A SIPP
start_ms() { # start_ms N: media server N on 127.0.0.1N:5060
  sipp -sf "$(dirname "$0")/sipp/media-server.xml" -i "127.0.0.1$1" -p 5060 -nostdin -trace_msg \
    -message_file "$WORK/ms$1.log" -error_file "$WORK/ms$1.err" >/dev/null 2>&1 &
  SIPP[$1]=$!
  PIDS+=("${SIPP[$1]}")
  wait_udp_listening "${SIPP[$1]}" "127.0.0.1$1" 5060 || fail "media server $1 (SIPp) did not start"
}
# A media server that hangs: frozen, so its socket swallows requests without
# an ICMP error, as a dead host does. (A stopped process would draw ICMP port
# unreachable, which phones treat differently from silence.)
freeze_ms() { kill -STOP "${SIPP[$1]}"; }
registers() { local n; n=$(grep -c '^REGISTER sip:' "$WORK/ms$1.log" 2>/dev/null) || true; echo "${n:-0}"; }
# wait_register N FROM LIMIT_S: until ms N has received more than FROM REGISTERs; prints seconds.
wait_register() {
  local start=$(date +%s.%N) now
  while [ "$(registers "$1")" -le "$2" ]; do
    now=$(date +%s.%N)
    (( $(echo "$now - $start > $3" | bc -l) )) && { echo timeout; return 1; }
    sleep 0.1
  done
  now=$(date +%s.%N); echo "$now - $start" | bc -l | xargs printf '%.1f'
}

# phone NAME PROXY PORT: a baresip phone, registering every few seconds, for at most
# 60 s. It listens on PORT and PORT+1 (TLS), so phones sit 10 ports apart.
phone() {
  phone_config "$WORK/$1" "127.0.0.1:$3" "127.0.0.1:$PORT"
  echo "<sip:$1@example.com>;outbound=\"sip:$2.example.com\";regint=4;auth_pass=x" >"$WORK/$1/accounts"
  timeout 60 baresip -f "$WORK/$1" -t 55 >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  PHONE=$!
}

start_ms 1; start_ms 2; start_ms 3
start_srvd "$WORK/srvd.yaml"

phone phone-a proxy-a 15070; PHONE_A=$PHONE
took=$(wait_register 1 0 10) || fail "phone A did not register with media server 1"
[ "$(registers 2)$(registers 3)" = 00 ] || fail "phone A also tried other media servers"
pass "phone A (proxy-a: NAPTR -> SRV) registered with media server 1 in ${took}s"

phone phone-b proxy-b 15080; PHONE_B=$PHONE
took=$(wait_register 3 0 10) || fail "phone B did not register with media server 3"
pass "phone B (proxy-b) registered with media server 3 first (${took}s)"

before=$(registers 2)
freeze_ms 1
took=$(wait_register 2 "$before" 45) || fail "phone A did not fail over to media server 2"
pass "media server 1 hung: phone A registered with media server 2 after ${took}s (its own SRV failover)"
kill "$PHONE_A" "$PHONE_B" 2>/dev/null || true

# With health checks on, a phone started after media server 1 is down never tries it.
cat >>"$WORK/zones/example.com.yaml" <<'Z'
health: { probe: sip-options, transport: udp, interval: 300ms, timeout: 200ms, down_after: 2, up_after: 2 }
Z
kill -HUP "$SRVD_PID"
for _ in $(seq 1 50); do
  [ "$(q _sip._udp.proxy-a.example.com SRV | awk '$5 == 10 {print $8}')" = ms2.example.com. ] && break
  sleep 0.1
done
[ "$(q _sip._udp.proxy-a.example.com SRV | awk '$5 == 10 {print $8}')" = ms2.example.com. ] \
  || fail "health checks did not take the hung media server 1 out"
ms2_before=$(registers 2)
phone phone-a2 proxy-a 15090
took=$(wait_register 2 "$ms2_before" 10) || fail "the new phone A did not register with media server 2"
# A frozen SIPp logs nothing, so its log proves nothing yet: resume it, let it
# read everything queued at its socket while it hung (srvd's probes at least),
# and only then look for the new phone there.
options_before=$(grep -c '^OPTIONS sip:' "$WORK/ms1.log" 2>/dev/null || true)
kill -CONT "${SIPP[1]}"
for _ in $(seq 1 50); do
  [ "$(ss -Hlnu 'src 127.0.0.11 and sport = :5060' | awk '{print $2}')" = 0 ] && break
  sleep 0.1
done
sleep 0.5 # SIPp writes its trace after reading
options_after=$(grep -c '^OPTIONS sip:' "$WORK/ms1.log" 2>/dev/null || true)
[ "${options_after:-0}" -gt "${options_before:-0}" ] || fail "media server 1 read nothing after resuming: the check below would prove nothing"
grep -q 'phone-a2@' "$WORK/ms1.log" && fail "the new phone A sent to media server 1 while it was down"
pass "health checks on, media server 1 hung: a new phone A went straight to media server 2 (${took}s); media server 1, resumed, had $((options_after - options_before)) queued probes and nothing from it"
