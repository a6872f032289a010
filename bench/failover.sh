#!/usr/bin/env bash
# How long real phones take to register elsewhere after a media server hangs
# (issue #28.7), on one rig, before and after srvd flushes the resolver:
#
#   phones (baresip, in a network namespace) -> Unbound (caching resolver)
#     -> srvd (authoritative for pbx.example, health checks at the defaults:
#        OPTIONS over UDP every 2 s, down after 2, answer_ttl 10)
#   media servers ms1..ms3: SIPp registrars granting EXPIRES seconds.
#
# Every phone is provisioned with the proxy name only (NAPTR -> SRV -> A)
# and registers with ms1, the first of proxy-a's ordering. Phones start
# spread over one registration interval, as a fleet's are. Then ms1 hangs
# (SIGSTOP: its socket swallows requests, as a dead host does) and each
# phone's time to its first REGISTER at ms2 or ms3 is taken from the
# media servers' own message logs. Modes:
#   before  srvd without `resolvers:`: Unbound keeps the old answer up to its TTL
#   after   srvd flushes Unbound (remote control, `resolvers:`) on the change
#
#   bench/failover.sh [RUNS] [PHONES]     (root: network namespace; needs build/srvd)
#   env: EXPIRES (registration interval the registrar grants, default 10),
#        TRANSPORT (udp | tcp: what the proxy's NAPTR offers, the registrars
#          serve and srvd probes; default udp),
#        OUTBOUND (naptr: the proxy name alone, NAPTR -> SRV -> A, the default;
#          hostport: the name with :5060, which makes a phone look up A only),
#        ROUNDROBIN (Unbound rrset-roundrobin: yes | no, default no),
#        MODES ("before after"),
#        HEALTH (more of the zone's health: settings, e.g. "interval: 1s, timeout: 500ms")
# Prints one line per run and a summary line per mode: phones, median, max,
# and how many never moved within the limit (LIMIT, default 90 s).
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/system/phone.sh # phone_config
RUNS=${1:-3}
PHONES=${2:-8}
EXPIRES=${EXPIRES:-10}
TRANSPORT=${TRANSPORT:-udp}
OUTBOUND=${OUTBOUND:-naptr}
ROUNDROBIN=${ROUNDROBIN:-no}
MODES=${MODES:-before after}
HEALTH=${HEALTH:-}
LIMIT=${LIMIT:-90}
SRVD=$PWD/build/srvd
for tool in sipp baresip unbound kdig ip; do
  command -v $tool >/dev/null || { echo "failover.sh: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$SRVD" ] || { echo "failover.sh: build srvd first (cmake --build build)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "failover.sh: run as root (network namespace)" >&2; exit 1; }

NS=srvd-failover-$$
OUT=$(mktemp -d /tmp/srvd-failover-XXXXXX)
cleanup() {
  ip netns pids "$NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
  kill -CONT $(jobs -p) 2>/dev/null || true
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  ip link del fo-host 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT

# The phones' side: 10.77.0.2 in the namespace; the host side 10.77.0.1 (Unbound)
# and 10.77.0.11-13 (the media servers).
ip netns add "$NS"
ip link add fo-host type veth peer name fo-phones netns "$NS"
ip addr add 10.77.0.1/24 dev fo-host
for n in 1 2 3; do ip addr add "10.77.0.1$n/24" dev fo-host; done
ip link set fo-host up
ip -n "$NS" addr add 10.77.0.2/24 dev fo-phones
ip -n "$NS" link set fo-phones up
ip -n "$NS" link set lo up

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }

# One run: fresh media servers, srvd, Unbound and phones; prints the phones'
# times (seconds, "-" for a phone that did not move within LIMIT).
run() {
  local mode=$1 dir=$OUT/$1-$2 port uport n pids=()
  mkdir -p "$dir/zones"
  port=$(free_port)
  for n in 1 2 3; do
    sipp -sf bench/sipp/registrar.xml -key expires "$EXPIRES" -i "10.77.0.1$n" -p 5060 \
      -t "$([ "$TRANSPORT" = tcp ] && echo t1 || echo u1)" -nostdin -trace_msg \
      -message_file "$dir/ms$n.log" -error_file "$dir/ms$n.err" >/dev/null 2>&1 &
    pids[$n]=$!
  done
  cat >"$dir/zones/pbx.example.yaml" <<Z
zone: pbx.example
soa: { primary: ns1.pbx.example, contact: hostmaster.pbx.example, serial: 1 }
nameservers: { ns1: [10.77.0.1] }
health: { probe: sip-options, transport: $TRANSPORT${HEALTH:+, $HEALTH} }
media_servers:
  ms1: { addresses: [10.77.0.11] }
  ms2: { addresses: [10.77.0.12] }
  ms3: { addresses: [10.77.0.13] }
proxies:
  proxy-a: { transports: [$TRANSPORT], targets: [ms1, ms2, ms3] }
Z
  printf 'zones: [zones]\nstate_dir: state\ncontrol: { socket: ctl.sock }\n' >"$dir/srvd.yaml"
  if [ "$mode" = after ]; then
    printf 'resolvers:\n  - { name: phones-unbound, type: unbound, control: %s/unbound.sock }\n' \
      "$dir" >>"$dir/srvd.yaml"
  fi
  "$SRVD" serve -c "$dir/srvd.yaml" --allow-root --listen "127.0.0.1:$port" >"$dir/srvd.log" 2>&1 &
  uport=$(free_port)
  cat >"$dir/unbound.conf" <<CONF
server:
  interface: 10.77.0.1@$uport
  port: $uport
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$dir"
  pidfile: ""
  use-syslog: no
  logfile: "$dir/unbound.log"
  access-control: 10.77.0.0/24 allow
  do-not-query-localhost: no
  qname-minimisation: no
  rrset-roundrobin: $ROUNDROBIN
remote-control:
  control-enable: yes
  control-interface: $dir/unbound.sock
stub-zone:
  name: "pbx.example"
  stub-addr: 127.0.0.1@$port
CONF
  unbound -d -c "$dir/unbound.conf" >/dev/null 2>&1 &
  for _ in $(seq 1 100); do
    kdig @10.77.0.1 -p "$uport" +time=1 +retry=0 +short proxy-a.pbx.example NAPTR 2>/dev/null | grep -q . && break
    sleep 0.1
  done
  # Phones, spread over one registration interval. The proxy's NAPTR offers
  # one transport, so a phone following it (as provisioned phones do) picks
  # that one; with a port, RFC 3263 leaves the phone only A records (and UDP
  # unless told otherwise).
  local outbound=sip:proxy-a.pbx.example
  [ "$OUTBOUND" = hostport ] && outbound="$outbound:5060$([ "$TRANSPORT" = tcp ] && echo ';transport=tcp')"
  for n in $(seq 1 "$PHONES"); do
    phone_config "$dir/phone$n" "10.77.0.2:$((20000 + 10 * n))" "10.77.0.1:$uport"
    echo "<sip:phone$n@pbx.example>;outbound=\"$outbound\";regint=$EXPIRES;auth_pass=x" >"$dir/phone$n/accounts"
    ip netns exec "$NS" timeout $((LIMIT + 5 * EXPIRES + 60)) baresip -f "$dir/phone$n" >"$dir/phone$n.log" 2>&1 &
    sleep "$(echo "$EXPIRES / $PHONES" | bc -l)"
  done
  # Every phone registered with ms1, then one more interval.
  for _ in $(seq 1 $((20 * EXPIRES + 100))); do
    [ "$(grep -o 'From: <sip:phone[0-9]*@' "$dir/ms1.log" 2>/dev/null | sort -u | wc -l)" -ge "$PHONES" ] && break
    sleep 0.1
  done
  sleep "$EXPIRES"
  local t0 times=() moved=0 deadline
  kill -STOP "${pids[1]}"
  t0=$(now)
  deadline=$(echo "$t0 + $LIMIT" | bc -l)
  declare -A at=()
  while [ "$moved" -lt "$PHONES" ] && (( $(echo "$(now) < $deadline" | bc -l) )); do
    for n in $(seq 1 "$PHONES"); do
      [ -n "${at[$n]:-}" ] && continue
      if grep -q "^From: <sip:phone$n@" "$dir/ms2.log" "$dir/ms3.log" 2>/dev/null; then
        at[$n]=$(echo "$(now) - $t0" | bc -l | xargs printf '%.1f')
        moved=$((moved + 1))
      fi
    done
    sleep 0.2
  done
  for n in $(seq 1 "$PHONES"); do times+=("${at[$n]:--}"); done
  echo "${times[*]}"
  # Tear down this run's processes (the phones run in the namespace).
  ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
  # SIPp can hold SIGTERM blocked (a registrar once outlived it, and `wait`
  # with it); the registrars keep nothing worth a clean exit.
  kill -KILL "${pids[@]}" 2>/dev/null || true
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
}

# The median over all phones, a phone that never moved counting as the slowest.
median_max() { # values on stdin ("-" = never)
  tr ' ' '\n' | grep . | sed 's/^-$/999999/' | sort -g | awk '{v[++n] = $1; never += $1 == 999999} END {
    m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    ms = (m >= 999999) ? "never" : sprintf("%.1f s", m)
    mx = (v[n] >= 999999) ? "never" : sprintf("%.1f s", v[n])
    printf "median %s, max %s, %d never (within the limit)", ms, mx, never }'
}

echo "failover.sh: $PHONES phones ($TRANSPORT, outbound $OUTBOUND, registration interval ${EXPIRES} s), Unbound rrset-roundrobin $ROUNDROBIN, srvd health: ${HEALTH:-defaults (2 s x 2, answer_ttl 10)}, $RUNS run(s) per mode"
for mode in $MODES; do
  all=""
  for r in $(seq 1 "$RUNS"); do
    line=$(run "$mode" "$r")
    echo "  $mode run $r: $line"
    all="$all $line"
  done
  echo "$mode: $(echo "$all" | median_max) over $((RUNS * PHONES)) phones"
done
