#!/usr/bin/env bash
# Answers of two srvd binaries, compared query by query: for refactors that
# must not change a byte (static names, ECS from every region, NXDOMAIN,
# errors, identity, signed queries, AXFR and IXFR over TCP, IXFR over UDP).
# Usage: scripts/compare-answers.sh OLD_SRVD NEW_SRVD. Exit 0 when every
# reply is the same (kdig's full decoding and its size line), 1 otherwise.
set -euo pipefail
old=$1 new=$2
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

key="hmac-sha256:fuzz.key:c3J2ZC1mdXp6LWtleS1mb3ItdHNpZy1zZWVkcy0wMDAwMDA="
cat >"$work/srvd.yaml" <<YAML
zones: [$src/zones/example.com.yaml]
geoip: { database: $src/zones/geo/demo-city.mmdb }
state_dir: $work/state
nsid: compare
threads: 1
keys:
  fuzz.key: { algorithm: hmac-sha256, secret: "c3J2ZC1mdXp6LWtleS1mb3ItdHNpZy1zZWVkcy0wMDAwMDA=" }
transfer:
  allow: [{ address: 127.0.0.0/8 }]
YAML
mkdir -p "$work/state"

serve() { # BINARY PORT
  "$1" serve -c "$work/srvd.yaml" --listen "127.0.0.1:$2" --allow-root >"$work/log.$2" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do kdig @127.0.0.1 -p "$2" +retry=0 +timeout=1 example.com SOA >/dev/null 2>&1 && return; sleep 0.1; done
  echo "srvd $1 did not start"; cat "$work/log.$2"; exit 1
}
serve "$old" 55301
serve "$new" 55302

queries=(
  "proxy-a.example.com NAPTR" "proxy-b.example.com NAPTR" "_sip._udp.proxy-a.example.com SRV"
  "_sips._tcp.sip.example.com SRV" "proxy-a.example.com A" "proxy-a.example.com AAAA"
  "ms3.example.com AAAA" "example.com SOA" "example.com NS" "example.com ANY" "example.com TXT"
  "www.example.com A" "portal.example.com A" "x.phones.example.com NAPTR" "mail.example.com MX"
  "nothing.example.com A" "_udp.proxy-a.example.com SRV" "www.example.com AAAA"
  "example.org A" "proxy-a.example.com SRV"
)
# Static, without EDNS, with a small payload, with NSID.
variants=("" "+noedns" "+bufsize=512" "+nsid")
# ECS from every region of the demo database (east, west, central, nearest,
# by country, split /24, no location) and private space.
for net in 127.0.0.0/24 127.0.1.0/24 127.0.2.0/24 127.0.3.0/24 127.0.4.0/24 127.0.5.128/25 \
  127.0.8.0/24 198.51.100.0/24 192.0.2.0/24 203.0.113.0/24 10.1.2.0/24 0.0.0.0/0; do
  variants+=("+subnet=$net")
done

# One server's reply as kdig decodes it, with its size, without what varies
# between runs (ID, time, port).
reply() { # PORT ARGS...
  local port=$1; shift
  kdig @127.0.0.1 -p "$port" +retry=0 +timeout=2 "$@" 2>&1 |
    sed -e "s/$port/PORT/g" -e 's/id: [0-9]*/id: N/' -e 's/^;; Received \([0-9]* B\).*/;; Received \1/' |
    grep -v -e '^;; From' -e '^;; Time' || true
}

compare() { # ARGS...
  local a b
  a=$(reply 55301 "$@")
  b=$(reply 55302 "$@")
  count=$((count + 1))
  if [ "$a" != "$b" ]; then
    echo "DIFFERENT: kdig $*"
    diff <(echo "$a") <(echo "$b") | head -20 || true
    differ=$((differ + 1))
  fi
}

count=0 differ=0
for v in "${variants[@]}"; do
  for q in "${queries[@]}"; do
    # shellcheck disable=SC2086
    compare $v $q
  done
done
for q in "example.com AXFR" "example.com IXFR=1" "example.org AXFR"; do
  # shellcheck disable=SC2086
  compare +tcp $q
done
# shellcheck disable=SC2086
compare +notcp example.com IXFR=4000000000
compare +tcp example.com CH TXT
compare id.server CH TXT
compare hostname.bind CH TXT
compare +edns=1 proxy-a.example.com NAPTR
# Signed: the TSIG time differs between two runs; compare what kdig decodes
# without the signature line.
for q in "example.com SOA" "proxy-a.example.com NAPTR"; do
  # shellcheck disable=SC2086
  a=$(reply 55301 -y "$key" $q | grep -v -e 'TSIG' -e 'Received')
  # shellcheck disable=SC2086
  b=$(reply 55302 -y "$key" $q | grep -v -e 'TSIG' -e 'Received')
  count=$((count + 1))
  if [ "$a" != "$b" ]; then echo "DIFFERENT (signed): $q"; diff <(echo "$a") <(echo "$b") | head || true; differ=$((differ + 1)); fi
done
echo "$count queries, $differ different"
[ "$differ" = 0 ]
