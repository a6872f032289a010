#!/usr/bin/env bash
# srvd ctl over the control socket: status (text and JSON), drain and undrain
# (answers change at once, kept across SIGHUP and a restart), reload with its
# result, and clean failures without a server.
source "$(dirname "$0")/lib.sh"

# No server: a clear message and exit 2, within the timeout.
out=$("$SRVD" ctl -s "$WORK/none.sock" status 2>&1) && fail "ctl without a server succeeded"
rc=$("$SRVD" ctl -s "$WORK/none.sock" status >/dev/null 2>&1; echo $?)
[ "$rc" = 2 ] || fail "ctl without a server: exit $rc"
echo "$out" | has "cannot reach srvd on $WORK/none.sock" || fail "ctl without a server: $out"
: >"$WORK/notasocket.sock"
rc=$("$SRVD" ctl -s "$WORK/notasocket.sock" status >/dev/null 2>&1; echo $?)
[ "$rc" = 2 ] || fail "ctl on a file that is not a socket: exit $rc"
# A socket where nobody answers: ctl gives up after its timeout, exit 2.
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(30)' "$WORK/mute.sock" &
mute=$!
for _ in $(seq 20); do [ -S "$WORK/mute.sock" ] && break; sleep 0.1; done
start=$(date +%s)
out=$("$SRVD" ctl -s "$WORK/mute.sock" status 2>&1) && fail "ctl against a mute socket succeeded"
waited=$(( $(date +%s) - start ))
kill "$mute" 2>/dev/null || true
echo "$out" | has "no answer from the server on $WORK/mute.sock within 5 s" || fail "mute socket: $out"
[ "$waited" -le 8 ] || fail "ctl waited $waited s"
pass "ctl without a server: exit 2, 'cannot reach srvd on …'; a mute socket: 'no answer … within 5 s'"

mkdir -p "$WORK/zones" "$WORK/state"
cp "$SRC/zones/example.com.yaml" "$WORK/zones/"
MPORT=$(free_port)
cat >"$WORK/srvd.yaml" <<YAML
zones: [zones]
state_dir: state
control: { socket: ctl.sock }
metrics: { listen: "127.0.0.1:$MPORT" }
YAML
start_srvd "$WORK/srvd.yaml"
ctl() { "$SRVD" ctl -c "$WORK/srvd.yaml" "$@"; }
[ "$(stat -c '%a' "$WORK/ctl.sock")" = 660 ] || fail "control socket mode $(stat -c '%a' "$WORK/ctl.sock")"

out=$(ctl status) || fail "status: $out"
echo "$out" | has "^srvd [0-9.]*, pid $SRVD_PID, up [0-9]* s$" || fail "status header: $out"
echo "$out" | has "^listen: 127.0.0.1:$PORT \[::1\]:$PORT$" || fail "status listen: $out"
echo "$out" | has '^zone example.com. serial 2026112601, 27 names$' || fail "status zone: $out"
echo "$out" | has '^  example.com. ms2: up since ' || fail "status media server: $out"
ctl status --json >"$WORK/status.json" || fail "status --json"
python3 - "$WORK/status.json" <<'PY' || fail "status --json: $(cat "$WORK/status.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["zones"][0]["zone"] == "example.com." and s["zones"][0]["serial"] == 2026112601, s["zones"]
assert s["last_reload"]["result"] == "success", s["last_reload"]
assert [m["state"] for m in s["media_servers"]] == ["up", "up", "up"], s["media_servers"]
PY
pass "status: version, pid, listeners, zones with serials, media servers; --json parses"

# Drain ms1: gone from SRV, the NAPTR's additional section and the proxy's A
# at once; ms2 leads.
before=$(q _sip._udp.proxy-a.example.com SRV | awk '{print $NF}' | head -1)
[ "$before" = ms1.example.com. ] || fail "before the drain: $before"
start=$(date +%s%N)
out=$(ctl drain ms1) || fail "drain: $out"
took=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$out" = "drained example.com. ms1" ] || fail "drain said: $out"
srv=$(q _sip._udp.proxy-a.example.com SRV)
echo "$srv" | has ms1 && fail "ms1 still in SRV after drain: $srv"
[ "$(echo "$srv" | awk '{print $NF}' | head -1)" = ms2.example.com. ] || fail "ms2 does not lead: $srv"
kdig @127.0.0.1 -p "$PORT" +norec proxy-a.example.com NAPTR | grep -q 'ms1.example.com.*127.0.0.11' && fail "ms1 in the NAPTR additional section"
q proxy-a.example.com A | grep -q 127.0.0.11 && fail "ms1's address still answered for proxy-a"
ctl status | grep -q '^  example.com. ms1: drained since ' || fail "status after drain: $(ctl status)"
metrics=$(curl -sf "http://127.0.0.1:$MPORT/metrics")
echo "$metrics" | has '^srvd_media_server_drained{zone="example.com.",server="ms1"} 1$' || fail "drained metric"
# A drain is not a failure: the server is as healthy as before (it read 0).
echo "$metrics" | has '^srvd_media_server_up{zone="example.com.",server="ms1"} 1$' \
  || fail "a drained, healthy ms1 does not read up: $(echo "$metrics" | grep media_server)"
grep -q 'notice: ctl: drained example.com. ms1' "$WORK/srvd.log" || fail "drain not logged: $(cat "$WORK/srvd.log")"
out=$(ctl explain --client 127.0.0.1 _sip._udp.proxy-a.example.com SRV) || fail "ctl explain: $out"
echo "$out" | has "health: the running server's answers, with its media servers' live states and drains" || fail "ctl explain is not live: $out"
echo "$out" | has 'ms1.example.com' && fail "ctl explain shows the drained ms1: $out"
echo "$out" | has 'SRV.10 0 5060 ms2.example.com.' || fail "ctl explain answer: $out"
"$SRVD" explain -c "$WORK/srvd.yaml" --client 127.0.0.1 _sip._udp.proxy-a.example.com SRV | grep -q 'ms1.example.com' ||
  fail "offline explain should not know about the drain"
pass "drain ms1: out of SRV, NAPTR additional and A; ctl returned in $took ms with the new answers in place; logged; drained 1 and still up 1"

# A drill on the live states: with ms1 drained, ms2's failure leaves ms3
# alone in proxy-a's SRV (offline, ms1 would still be there); nothing changes.
out=$(ctl explain --down ms2) || fail "ctl explain --down: $out"
echo "$out" | has '^zone example.com.: \[east, west, central\] _sip._udp.proxy-a.example.com. SRV: 10 0 5060 ms2.example.com., 20 0 5060 ms3.example.com. -> 10 0 5060 ms3.example.com.$' \
  || fail "live drill: $out"
"$SRVD" check -c "$WORK/srvd.yaml" --down ms2 | has '_sip._udp.proxy-a.example.com. SRV: 10 0 5060 ms1.example.com., 20 0 5060 ms2.example.com., 30 0 5060 ms3.example.com. -> 10 0 5060 ms1.example.com., 20 0 5060 ms3.example.com.$' \
  || fail "offline drill: $("$SRVD" check -c "$WORK/srvd.yaml" --down ms2)"
q _sip._udp.proxy-a.example.com SRV | grep -q ms2 || fail "the drill took ms2 out of the answers"
ctl status | grep -q '^  example.com. ms2: drained' && fail "the drill drained ms2"
rc=$(ctl explain --down ms9 >/dev/null 2>&1; echo $?)
[ "$rc" = 1 ] || fail "drill of an unknown server: exit $rc"
rc=$(ctl explain --down >/dev/null 2>&1; echo $?)
[ "$rc" = 2 ] || fail "drill without a server: exit $rc"
pass "ctl explain --down: the answers ms2's failure would change now (ms1 drained), nothing changed; unknown server exit 1"

# Kept across SIGHUP and ctl reload, and across a restart.
kill -HUP "$SRVD_PID"
wait_log 'reloaded' || fail "no reload"
q _sip._udp.proxy-a.example.com SRV | grep -q ms1 && fail "ms1 back after SIGHUP"
out=$(ctl reload) || fail "ctl reload: $out"
echo "$out" | has '^reloaded: 1 zone(s)' || fail "ctl reload said: $out"
q _sip._udp.proxy-a.example.com SRV | grep -q ms1 && fail "ms1 back after ctl reload"
stop_srvd "$SRVD_PID"
grep -q 'example.com. ms1' "$WORK/state/drains" || fail "drain not in state_dir: $(cat "$WORK/state/drains")"
start_srvd "$WORK/srvd.yaml"
q _sip._udp.proxy-a.example.com SRV | grep -q ms1 && fail "ms1 back after a restart"
grep -q 'drain: example.com. ms1 stays drained' "$WORK/srvd.log" || fail "restart does not say: $(cat "$WORK/srvd.log")"
pass "the drain survives SIGHUP, ctl reload and a restart"

out=$(ctl undrain ms1) || fail "undrain: $out"
[ "$(q _sip._udp.proxy-a.example.com SRV | awk '{print $NF}' | head -1)" = ms1.example.com. ] || fail "ms1 not back after undrain"
rc=$(ctl drain ms9 >/dev/null 2>&1; echo $?)
[ "$rc" = 1 ] || fail "drain of an unknown server: exit $rc"
out=$(ctl drain ms9 2>&1 || true)
echo "$out" | has 'no media server ms9 in any zone' || fail "unknown server message: $out"
rc=$(ctl drain ms1 --zone other.example >/dev/null 2>&1; echo $?)
[ "$rc" = 1 ] || fail "drain in a zone without it: exit $rc"
pass "undrain brings ms1 back; unknown servers and zones are refused (exit 1)"

# A broken policy: ctl reload exits 1 with file:line:column; the old serves.
cp "$WORK/zones/example.com.yaml" "$WORK/good.yaml"
sed -i 's/targets: \[ms1, ms2, ms3\]/targets: [ms1, ms9]/' "$WORK/zones/example.com.yaml"
out=$(ctl reload 2>&1) && fail "ctl reload of a broken policy succeeded: $out"
rc=$(ctl reload >/dev/null 2>&1; echo $?)
[ "$rc" = 1 ] || fail "ctl reload of a broken policy: exit $rc"
echo "$out" | has "^$WORK/zones/example.com.yaml:[0-9]*:[0-9]*: unknown media server 'ms9'" || fail "no file:line:column: $out"
[ -n "$(q www.example.com A)" ] || fail "the old configuration stopped serving"
ctl status | grep -q 'last reload: .* FAILED' || fail "status does not show the failed reload"
curl -sf "http://127.0.0.1:$MPORT/metrics" | has '^srvd_last_reload_success 0$' || fail "reload metric"
stop_srvd "$SRVD_PID"
pass "ctl reload of a broken policy: exit 1, file:line:column, old configuration serving, status and metrics say so"

# control.socket naming a file that is not a socket: left alone, srvd serves
# without a control socket and says why.
cp "$WORK/good.yaml" "$WORK/zones/example.com.yaml"
echo "keep me" >"$WORK/ctl.sock"
start_srvd "$WORK/srvd.yaml"
grep -q "warning: control socket $WORK/ctl.sock: exists and is not a socket; not replacing it" "$WORK/srvd.log" ||
  fail "no warning for a file in the socket's place: $(cat "$WORK/srvd.log")"
[ "$(cat "$WORK/ctl.sock")" = "keep me" ] || fail "the file was replaced"
[ -n "$(q www.example.com A)" ] || fail "srvd does not serve without its control socket"
stop_srvd "$SRVD_PID"
pass "a file where the control socket should be is left alone; srvd serves and warns"
