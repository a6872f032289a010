# Shared by the dnsperf benches (run.sh, dnssec.sh): CPU accounting of a
# server's whole process tree and one measured dnsperf run.

# The process and all its descendants (NSD forks xfrd, main and servers).
process_tree() {
  local pid
  echo "$1"
  for pid in $(pgrep -P "$1" || true); do process_tree "$pid"; done
}

# CPU seconds used so far by a process tree (utime + stime, all threads).
cpu_seconds() {
  local total=0 pid
  for pid in $(process_tree "$1"); do
    [ -r "/proc/$pid/stat" ] || continue
    # Fields after "pid (comm) ": comm may hold spaces ("nsd: server 1").
    total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  echo "$total $(getconf CLK_TCK)" | awk '{printf "%.2f", $1 / $2}'
}

# wait_up PORT: until something answers a SOA query for bench.example, 10 s at most.
wait_up() {
  for _ in $(seq 1 100); do
    kdig @127.0.0.1 -p "$1" +time=1 +retry=0 bench.example SOA >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

stop_server() { # PID
  kill $(process_tree "$1") 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  sleep 0.5
}

# measure PID PORT SECONDS DNSPERF_ARGS...: dnsperf on CPU 1 against the
# server; sets QPS, LOST, CPU and PER_CPU (answers per server CPU-second).
# RATE=N offers N queries/s (dnsperf -Q) instead of as many as dnsperf can
# send: every server then answers the same load, and CPU per answer at that
# load compares them where none is saturated.
measure() {
  local pid=$1 port=$2 seconds=$3 before after result completed
  shift 3
  before=$(cpu_seconds "$pid")
  result=$(taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" "$@" ${RATE:+-Q "$RATE"} -l "$seconds" -c 8 -q 500 2>&1)
  after=$(cpu_seconds "$pid")
  completed=$(echo "$result" | awk '/Queries completed:/{print $3}')
  LOST=$(echo "$result" | awk '/Queries lost:/{print $3}')
  QPS=$(echo "$result" | awk '/Queries per second:/{printf "%.0f", $4}')
  CPU=$(echo "$before $after" | awk '{printf "%.2f", $2 - $1}')
  PER_CPU=$(echo "$completed $CPU" | awk '{ if ($2 > 0) printf "%.0f", $1 / $2; else print "n/a" }')
}
