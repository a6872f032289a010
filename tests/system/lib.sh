# Shared by the system tests: start the real srvd on a free loopback port and
# stop it again whatever happens. Source it; it needs SRVD (the binary).
set -euo pipefail
WORK=$(mktemp -d /tmp/srvd-system-XXXXXX)
PIDS=()
SRVD_PIDS=() # srvd processes started by this shell: stopped and their exit checked
NETNS=()     # network namespaces a test made: deleted, and what runs in them killed

# stop_srvd PID [SIGNAL]: SIGTERM (or SIGNAL), wait at most 15 s, and fail
# unless it exits 0. How srvd exits is part of every test: a sanitizer build
# reports leaks and shutdown errors there (ASan's abort_on_error makes the
# status non-zero).
stop_srvd() {
  local pid=$1 signal=${2:-TERM} status=0 left=()
  for p in "${SRVD_PIDS[@]:-}"; do [ "$p" = "$pid" ] || left+=("$p"); done
  SRVD_PIDS=("${left[@]:-}")
  kill -CONT "$pid" 2>/dev/null || true
  kill -"$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    echo "FAIL: srvd (pid $pid) still running 15 s after SIG$signal" >&2
    return 1
  fi
  wait "$pid" || status=$?
  if [ "$status" != 0 ]; then
    echo "FAIL: srvd (pid $pid) exited with status $status after SIG$signal" >&2
    [ -f "$WORK/srvd.log" ] && tail -20 "$WORK/srvd.log" >&2
    return 1
  fi
}

cleanup() {
  local status=$? p
  for p in "${SRVD_PIDS[@]:-}"; do
    [ -n "$p" ] || continue
    stop_srvd "$p" || status=1
  done
  # CONT first: a test may have frozen a process (SIGSTOP) to play a hung server.
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && { kill -CONT "$p"; kill "$p"; } 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in "${NETNS[@]:-}"; do
    [ -n "$ns" ] || continue
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
  [ "$status" != 0 ] && [ -n "${KEEP:-}" ] && cp -r "$WORK" "$KEEP"
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

# A test killed outright (ctest's timeout) cannot clean up after itself: its
# namespaces (srvd-NAME-PID) and what runs in them go when the next test starts.
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^srvd-[a-z]+-[0-9]+$' || true); do
    kill -0 "${ns##*-}" 2>/dev/null && continue
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
fi

# KEEP=DIR keeps the failed test's files (configs, logs) there.
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# `cmd | has [-F] PATTERN`: grep -q that reads all of its input. Under
# pipefail, `cmd | grep -q` fails when grep leaves at its match while cmd is
# still writing and dies of SIGPIPE: CI saw it with dpkg-deb -I, and with
# `echo "$err"` of a check run's warnings (bash's echo writes over 4 KiB in
# more than one write).
has() { grep -c "$@" >/dev/null; }

# A port free for both UDP and TCP on 127.0.0.1 and ::1, and not handed out
# before in this test (a port handed out but not bound yet still looks free;
# $WORK/ports remembers, since free_port runs in $(...) subshells). It is
# taken below the kernel's ephemeral range: a port in that range that is free
# now can become a client's source port (kdig, NSD's transfer, a NOTIFY)
# before srvd binds it, which a CI run saw as "already served by another
# process". Sockets in any state count, not only listening ones.
free_port() {
  local port low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range
  [ "$low" -gt 12000 ] || low=32768  # an unusual range: take the default's floor
  for _ in $(seq 1 50); do
    port=$((10000 + RANDOM % (low - 10000)))
    grep -qx "$port" "$WORK/ports" 2>/dev/null && continue
    if ! ss -Hanu "sport = :$port" | grep -q . && ! ss -Hant "sport = :$port" | grep -q .; then
      echo "$port" >>"$WORK/ports"
      echo "$port"; return 0
    fi
  done
  return 1
}

# wait_for_dns PORT [ADDR]: until the server answers, at most 5 s.
wait_for_dns() {
  local port=$1 addr=${2:-127.0.0.1}
  for _ in $(seq 1 50); do
    kdig @"$addr" -p "$port" +time=1 +retry=0 example.com SOA >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# wait_udp_listening PID ADDR PORT [NETNS]: until process PID has a socket
# bound there, at most 5 s. (SIPp takes a moment to bind; a probe or phone
# sent earlier is refused.) The socket must be PID's: a SIPp that could not
# bind because another test's SIPp holds the address exits at once, and the
# other one's socket must not pass for it. Each test that runs SIPp has its
# own addresses: failover .11-13, health .21-31, probe_spoof/probe_transport
# .41-49 (one at a time: RESOURCE_LOCK load), load_weight .51-53,
# drain_phones .61-63, resolver_flush .71-72, fd_limit .81.
wait_udp_listening() {
  local run=() users
  [ -n "${4:-}" ] && run=(ip netns exec "$4")
  for _ in $(seq 1 50); do
    users=$("${run[@]}" ss -Hlnup "src $2 and sport = :$3")
    [[ "$users" == *"pid=$1,"* ]] && return 0
    kill -0 "$1" 2>/dev/null || { echo "process $1 exited before binding $2:$3 (held by: ${users:-nobody})" >&2; return 1; }
    sleep 0.1
  done
  return 1
}

# wait_log PATTERN [N]: until srvd.log has N (default 1) lines matching, at most 10 s.
wait_log() {
  for _ in $(seq 1 100); do
    [ "$(grep -c -- "$1" "$WORK/srvd.log")" -ge "${2:-1}" ] && return 0
    sleep 0.1
  done
  return 1
}

# start_srvd CONFIG [extra args]: sets PORT and SRVD_PID; logs to $WORK/srvd.log.
start_srvd() {
  local config=$1; shift
  PORT=$(free_port)
  "$SRVD" serve -c "$config" --allow-root --listen "127.0.0.1:$PORT" --listen "[::1]:$PORT" "$@" \
    >"$WORK/srvd.log" 2>&1 &
  SRVD_PID=$!
  SRVD_PIDS+=("$SRVD_PID")
  wait_for_dns "$PORT" || { cat "$WORK/srvd.log" >&2; fail "srvd did not start"; }
}

# q ARGS...: kdig against the running srvd, answer lines only.
q() { kdig @127.0.0.1 -p "$PORT" +norec +noall +answer "$@"; }

source "$(dirname "${BASH_SOURCE[0]}")/phone.sh"

# nsd_server_conf DIR PORT [EXTRA]: the server: and remote-control: sections
# of an NSD configuration whose files live in DIR, one server process on
# 127.0.0.1:PORT; EXTRA lines go into server:.
nsd_server_conf() {
  cat <<CONF
server:
  ip-address: 127.0.0.1@$2
  port: $2
  username: ""
  chroot: ""
  zonesdir: "$1"
  pidfile: "$1/nsd.pid"
  xfrdfile: "$1/xfrd.state"
  xfrdir: "$1"
  zonelistfile: "$1/zone.list"
  database: ""
  logfile: "$1/nsd.log"
  server-count: 1
${3:-}
remote-control:
  control-enable: no
CONF
}

# start_nsd_secondary DIR NSD_PORT PRIMARY_PORT [KEY SECRET]: NSD (one
# server process, its files in DIR) as a secondary of example.com that asks
# srvd at 127.0.0.1:PRIMARY_PORT for AXFR (TSIG with KEY when given) and
# takes its NOTIFYs.
start_nsd_secondary() {
  local dir=$1 nsd_port=$2 primary=$3 key=${4:-NOKEY} secret=${5:-}
  mkdir -p "$dir"
  {
    nsd_server_conf "$dir" "$nsd_port" "  verbosity: 2"
    [ "$key" = NOKEY ] || printf 'key:\n  name: %s\n  algorithm: hmac-sha256\n  secret: "%s"\n' "$key" "$secret"
    printf 'zone:\n  name: example.com\n  request-xfr: AXFR 127.0.0.1@%s %s\n  allow-notify: 127.0.0.1 %s\n' \
      "$primary" "$key" "$key"
  } >"$dir/nsd.conf"
  nsd -d -c "$dir/nsd.conf" &
  PIDS+=($!)
}

# start_unbound NAME SRVD_PORT MODULES [EXTRA_SERVER_OPTIONS]: Unbound with a
# stub zone for example.com pointing at srvd and ECS forwarding (send its
# loopback subnets, /24), logging to $WORK/NAME.log at verbosity 4 (tests
# read what it saw). Sets UPORT.
start_unbound() {
  UPORT=$(free_port)
  cat >"$WORK/$1.conf" <<CONF
server:
  interface: 127.0.0.1@$UPORT
  port: $UPORT
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$WORK"
  pidfile: "$WORK/$1.pid"
  use-syslog: no
  logfile: "$WORK/$1.log"
  verbosity: 4
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  module-config: "$3"
  send-client-subnet: 127.0.0.1
  max-client-subnet-ipv4: 24
  qname-minimisation: no
${4:-}
stub-zone:
  name: "example.com"
  stub-addr: 127.0.0.1@$2
CONF
  unbound -d -c "$WORK/$1.conf" &
  PIDS+=($!)
  wait_for_dns "$UPORT" || { cat "$WORK/$1.log" >&2; fail "unbound did not start"; }
}

# knot_server_conf DIR PORT LOG_LEVEL: the server, database and log sections
# of a Knot configuration whose files live in DIR (DIR/run, DIR/db).
knot_server_conf() {
  mkdir -p "$1/run" "$1/db"
  cat <<CONF
server:
  rundir: "$1/run"
  listen: 127.0.0.1@$2
database:
  storage: "$1/db"
log:
  - target: stderr
    any: $3
CONF
}

# watch_secure UNTIL NAME [HOOK]: asks each of the "${queries[@]}" (kdig
# arguments) through the validating Unbound at $UPORT until t0+UNTIL s
# (t0: the test's time origin), each answer NOERROR with AD (validated
# secure), else fails showing Unbound NAME's log; runs HOOK between rounds.
# Counts the answers in $checks.
watch_secure() {
  local out q
  checks=0
  while [ "$(date +%s)" -lt $((t0 + $1)) ]; do
    for q in "${queries[@]}"; do
      out=$(kdig @127.0.0.1 -p "$UPORT" +dnssec +time=2 +retry=0 $q 2>&1)
      echo "$out" | has 'status: NOERROR' && echo "$out" | has '^;; Flags:.* ad' \
        || fail "at t0+$(($(date +%s) - t0)) s, $q through Unbound: $out $(tail -5 "$WORK/$2.log")"
      checks=$((checks + 1))
    done
    ${3:-true}
    sleep 0.3
  done
}

# rollover_zone FILE PARENT_DELAY KEY...: example.com with TTLs of 2 s (the
# rollover tests' seconds stand for a real schedule's days), a proxy, a
# wildcard, and these key files (paths relative to FILE's directory).
rollover_zone() {
  local file=$1 parent_delay=$2
  shift 2
  local keys
  keys=$(printf '%s, ' "$@")
  cat >"$file" <<ZONE
zone: example.com
ttl: 2
soa: { primary: ns1.example.com, contact: hostmaster.example.com, serial: auto, minimum: 2 }
nameservers: { ns1: [127.0.0.1] }
media_servers:
  ms1: { addresses: [192.0.2.11] }
  ms2: { addresses: [192.0.2.12] }
proxies:
  sip: { targets: [{ms1: 50, ms2: 50}] }
records:
  - "www IN A 192.0.2.80"
  - "*.wild IN TXT \"wildcard\""
dnssec:
  keys: [${keys%, }]
  propagation_delay: 1s
  parent_delay: $parent_delay
ZONE
}
