#!/usr/bin/env bash
# DNSSEC cost, measured as run.sh measures (server on CPU 0, dnsperf on CPU
# 1, answers per server CPU-second):
#
#   bench/dnssec.sh [SECONDS] [PROXIES]     defaults: 10 s per run, 1000 proxies
#   SRVD=OTHER/srvd bench/dnssec.sh …       another srvd binary
#
# 1. The static mix against the signed zone, without and with the DO bit,
#    and the same mix without its missing names: their answers' signatures
#    are compiled, so DO costs only bigger packets (goal: DO at least 0.9
#    of the plain mix's efficiency).
# 2. Random names that do not exist, with DO: srvd signs one NSEC per query
#    (compact denial); Knot with mod-onlinesign serving the same zone signs
#    per query too. Without DO, for scale.
# 3. Load time and peak memory of `srvd check` on the 10,000-proxy policy,
#    unsigned and signed.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
SECONDS_PER_RUN=${1:-10}
PROXIES=${2:-1000}
BUILD=${BUILD:-build}
SRVD=${SRVD:-$BUILD/srvd}
OUT=bench/out/dnssec
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PORT=5391

scripts/install-deps.sh >/dev/null
dpkg-query -W -f='${Status}' knot 2>/dev/null | grep -q 'install ok installed' ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q knot >/dev/null
systemctl stop knot nsd 2>/dev/null || true
[ -x "$BUILD/bench/engine_bench" ] || scripts/build.sh all >/dev/null

# The policy, its keys (one P-256 KSK and ZSK, made once) and the workloads.
perl bench/make-policy.pl "$PROXIES" "$OUT"
[ -f "$OUT/static-$PROXIES.txt" ] ||
  "$BUILD/bench/make_queries" static "$OUT/names.txt" bench.example 200000 "$OUT/static-$PROXIES"
# The static mix without its 10% of missing names (nx*): only compiled answers.
grep -v '^nx' "$OUT/static-$PROXIES.txt" >"$OUT/positive-$PROXIES.txt"
[ -f "$OUT/nxdomain.txt" ] ||
  awk 'BEGIN { srand(7); for (i = 0; i < 200000; i++) printf "n%08x.bench.example A\n", int(rand() * 4294967295) }' \
    >"$OUT/nxdomain.txt"
if ! ls "$OUT"/keys/K*.private >/dev/null 2>&1; then
  mkdir -p "$OUT/keys"
  (cd "$OUT/keys" && ldns-keygen -k -a ECDSAP256SHA256 bench.example >/dev/null &&
    ldns-keygen -a ECDSAP256SHA256 bench.example >/dev/null)
fi
KEYS=$(cd "$OUT/keys" && ls K*.key | sed 's/\.key$//; s/^/keys\//' | paste -sd, | sed 's/,/, /g')
cp "$OUT/bench.example.yaml" "$OUT/signed.yaml"
echo "dnssec: { keys: [$KEYS] }" >>"$OUT/signed.yaml"
# The signing rows measure signing, so the per-query signature budget is
# off; the "budget" server is srvd as shipped (5,000 signatures/s, then
# SERVFAIL), flooded with the same missing names.
printf 'listen: ["127.0.0.1:%s"]\nthreads: 1\nzones: [signed.yaml]\nlog: { level: warning }\n' "$PORT" >"$OUT/budget.yaml"
cat "$OUT/budget.yaml" - >"$OUT/srvd.yaml" <<<'limits: { signatures_per_second: 0, signatures_per_tcp_client: 0 }'
printf 'zones: [bench.example.yaml]\n' >"$OUT/unsigned.yaml"
"$SRVD" export -c "$OUT/unsigned.yaml" bench.example >"$OUT/bench.example.zone"

rm -rf "$OUT/knot" && mkdir -p "$OUT/knot"
cat >"$OUT/knot.conf" <<CONF
server:
  listen: 127.0.0.1@$PORT
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
  rundir: "$OUT/knot"
database:
  storage: "$OUT/knot"
log:
  - target: stderr
    any: warning
policy:
  - id: p256
    algorithm: ecdsap256sha256
    single-type-signing: on
mod-onlinesign:
  - id: sign
    policy: p256
template:
  - id: default
    storage: "$OUT"
zone:
  - domain: bench.example
    file: bench.example.zone
    module: mod-onlinesign/sign
CONF

start() { # NAME -> SERVER_PID
  case $1 in
    srvd) taskset -c 0 "$SRVD" serve -c "$OUT/srvd.yaml" --allow-root & ;;
    budget) taskset -c 0 "$SRVD" serve -c "$OUT/budget.yaml" --allow-root & ;;
    knot) taskset -c 0 knotd -c "$OUT/knot.conf" 2>"$OUT/knot.log" & ;;
  esac
  SERVER_PID=$!
  wait_up "$PORT" || { echo "$1 did not start" >&2; exit 1; }
  # Both must answer a missing name with a signed denial.
  kdig @127.0.0.1 -p "$PORT" +dnssec nothing.bench.example A | grep -q 'RRSIG.*NSEC' ||
    { echo "$1 does not sign denials" >&2; exit 1; }
}

declare -A RATE
printf '%-22s %-7s %10s %8s %7s %14s\n' workload server "queries/s" lost "cpu s" "answers/cpu-s"
row() { # WORKLOAD SERVER DNSPERF_ARGS...
  local workload=$1 server=$2
  shift 2
  measure "$SERVER_PID" "$PORT" "$SECONDS_PER_RUN" "$@"
  RATE[$workload-$server]=$PER_CPU
  printf '%-22s %-7s %10s %8s %7s %14s\n' "$workload" "$server" "$QPS" "$LOST" "$CPU" "$PER_CPU"
}
for server in srvd knot budget; do
  start "$server"
  if [ "$server" = budget ]; then
    row "random NXDOMAIN, DO" "$server" -D -d "$OUT/nxdomain.txt"
    stop_server "$SERVER_PID"
    continue
  fi
  row "static" "$server" -d "$OUT/static-$PROXIES.txt"
  row "static, DO" "$server" -D -d "$OUT/static-$PROXIES.txt"
  row "positive" "$server" -d "$OUT/positive-$PROXIES.txt"
  row "positive, DO" "$server" -D -d "$OUT/positive-$PROXIES.txt"
  row "random NXDOMAIN" "$server" -d "$OUT/nxdomain.txt"
  row "random NXDOMAIN, DO" "$server" -D -d "$OUT/nxdomain.txt"
  stop_server "$SERVER_PID"
done
ratio() { echo "${RATE[$1]:-0} ${RATE[$2]:-0}" | awk '{ if ($1 > 0 && $2 > 0) printf "%.2f", $1 / $2; else print "n/a" }'; }
echo
echo "srvd: with DO / without: positive $(ratio "positive, DO-srvd" positive-srvd) (goal 0.9)," \
  "static (10% missing names, signed per query) $(ratio "static, DO-srvd" static-srvd);" \
  "random NXDOMAIN with DO / without $(ratio "random NXDOMAIN, DO-srvd" "random NXDOMAIN-srvd");" \
  "with DO, srvd / Knot mod-onlinesign: static $(ratio "static, DO-srvd" "static, DO-knot")," \
  "random NXDOMAIN $(ratio "random NXDOMAIN, DO-srvd" "random NXDOMAIN, DO-knot")"
echo "srvd as shipped (signature budget 5,000/s, then SERVFAIL) under the same flood of missing names with DO:" \
  "$(ratio "random NXDOMAIN, DO-budget" "random NXDOMAIN, DO-srvd") x the unlimited signer's answers per CPU-second"

# Load time and memory at scale.
echo
mkdir -p "$OUT/scale/keys"
perl bench/make-policy.pl 10000 "$OUT/scale"
cp "$OUT"/keys/K* "$OUT/scale/keys/"
cp "$OUT/scale/bench.example.yaml" "$OUT/scale/signed.yaml"
echo "dnssec: { keys: [$KEYS] }" >>"$OUT/scale/signed.yaml"
for kind in bench.example signed; do
  printf 'zones: [%s.yaml]\n' "$kind" >"$OUT/scale/$kind-srvd.yaml"
  summary=$( { /usr/bin/time -f 'peak RSS %M KiB, %e s in all' "$SRVD" check -c "$OUT/scale/$kind-srvd.yaml" | grep '^compiled'; } 2>&1)
  echo "10,000 proxies, $([ "$kind" = signed ] && echo signed || echo unsigned): $(echo "$summary" | paste -sd';')"
done
