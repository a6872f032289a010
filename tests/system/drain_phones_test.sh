#!/usr/bin/env bash
# An operator drains a media server with real SIP software around it: SIPp
# plays media servers 1-3 (on 127.0.0.61-63, registrars that answer OPTIONS),
# baresip plays phones provisioned with a proxy name and no port. A phone
# stays registered elsewhere; a phone started after `srvd ctl drain ms1`
# never contacts media server 1, through a SIGHUP and a restart of srvd; after
# `undrain` a new phone registers with media server 1 again.
source "$(dirname "$0")/lib.sh"
for tool in sipp baresip; do command -v $tool >/dev/null || fail "$tool is not installed (scripts/install-deps.sh)"; done
mkdir -p "$WORK/zones"
sed -e 's/^ttl: 300/ttl: 1/' -e 's/127\.0\.0\.1\([123]\)/127.0.0.6\1/g' "$SRC/zones/example.com.yaml" >"$WORK/zones/example.com.yaml"
cat >>"$WORK/zones/example.com.yaml" <<'Z'
health: { probe: sip-options, transport: udp, interval: 300ms, timeout: 200ms, down_after: 2, up_after: 1 }
Z
printf 'zones: [zones]\nstate_dir: state\ncontrol: { socket: ctl.sock }\n' >"$WORK/srvd.yaml"
ctl() { "$SRVD" ctl -c "$WORK/srvd.yaml" "$@"; }

start_ms() { # start_ms N: media server N on 127.0.0.6N:5060
  sipp -sf "$(dirname "$0")/sipp/media-server.xml" -i "127.0.0.6$1" -p 5060 -nostdin -trace_msg \
    -message_file "$WORK/ms$1.log" -error_file "$WORK/ms$1.err" >/dev/null 2>&1 &
  PIDS+=($!)
  wait_udp_listening $! "127.0.0.6$1" 5060 || fail "media server $1 (SIPp) did not start"
}
registers() { local n; n=$(grep -c "^REGISTER sip:.*" "$WORK/ms$1.log" 2>/dev/null) || true; echo "${n:-0}"; }
from_phone() { local n; n=$(grep -c "$2@" "$WORK/ms$1.log" 2>/dev/null) || true; echo "${n:-0}"; }
# wait_phone N PHONE LIMIT_S: until media server N has heard from PHONE.
wait_phone() {
  for _ in $(seq 1 $(($3 * 10))); do [ "$(from_phone "$1" "$2")" -gt 0 ] && return 0; sleep 0.1; done
  return 1
}
phone() { # phone NAME PROXY PORT
  phone_config "$WORK/$1" "127.0.0.1:$3" "127.0.0.1:$PORT"
  echo "<sip:$1@example.com>;outbound=\"sip:$2.example.com\";regint=4;auth_pass=x" >"$WORK/$1/accounts"
  timeout 40 baresip -f "$WORK/$1" -t 35 >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  PHONE=$!
}
leads() { q _sip._udp.proxy-a.example.com SRV | awk '$5 == 10 {print $8}'; }

start_ms 1; start_ms 2; start_ms 3
start_srvd "$WORK/srvd.yaml"
phone phone-b proxy-b 16080
wait_phone 3 phone-b 10 || fail "phone B did not register with media server 3"
[ "$(leads)" = ms1.example.com. ] || fail "before the drain proxy-a leads with $(leads)"

ctl drain ms1 >/dev/null || fail "drain"
[ "$(leads)" = ms2.example.com. ] || fail "after the drain proxy-a leads with $(leads)"
phone phone-a1 proxy-a 16070
wait_phone 2 phone-a1 10 || fail "phone A1 did not register with media server 2"
sleep 1 # a few more registrations and re-resolutions
[ "$(from_phone 1 phone-a1)" = 0 ] || fail "phone A1 contacted the drained media server 1"
kill "$PHONE" 2>/dev/null || true
pass "ms1 drained while phone B stays on ms3: a new phone A registered with ms2 and never contacted ms1"

kill -HUP "$SRVD_PID"
wait_log 'reloaded' || fail "no reload"
# The drain is in force in the first answer after a reload and a restart,
# not once something else has happened: asked at once, then for a second.
[ "$(leads)" = ms2.example.com. ] || fail "at once after SIGHUP proxy-a leads with $(leads)"
ctl status | grep -q 'ms1: drained' || fail "after SIGHUP status does not show ms1 drained: $(ctl status)"
stop_srvd "$SRVD_PID"
start_srvd "$WORK/srvd.yaml"
for _ in $(seq 1 10); do
  [ "$(leads)" = ms2.example.com. ] || fail "after a restart proxy-a leads with $(leads)"
  sleep 0.1
done
phone phone-a2 proxy-a 16090
wait_phone 2 phone-a2 10 || fail "phone A2 did not register with media server 2"
sleep 1
[ "$(from_phone 1 phone-a2)" = 0 ] || fail "phone A2 contacted the drained media server 1 after a restart"
kill "$PHONE" 2>/dev/null || true
pass "the drain holds through SIGHUP and a restart: phone A2 went to ms2, never ms1"

ctl undrain ms1 >/dev/null || fail "undrain"
[ "$(leads)" = ms1.example.com. ] || fail "after undrain proxy-a leads with $(leads)"
phone phone-a3 proxy-a 16100
wait_phone 1 phone-a3 10 || fail "phone A3 did not register with media server 1 after undrain"
pass "undrain: ms1 back first; a new phone A registered with it"
stop_srvd "$SRVD_PID"
