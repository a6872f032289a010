#!/usr/bin/env bash
# Installs the Debian 12 packages srvd needs to build, test and benchmark,
# skipping the network entirely when they are all present already.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libboost-dev libldns-dev libssl-dev libyaml-cpp-dev libmaxminddb-dev doctest-dev
  knot-dnsutils bind9-dnsutils bind9-utils ldnsutils nsd knot unbound pdns-recursor knot-resolver curl sip-tester stunnel4 openssl baresip-core bc
  libmaxmind-db-writer-perl mmdb-bin dnsperf procps iproute2 python3 python3-yaml lintian
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# NSD, Knot, Unbound, the PowerDNS Recursor and Knot Resolver are peers the
# tests start themselves, never services here (Debian starts them on install,
# and they would hold port 53).
if command -v systemctl >/dev/null; then
  for s in nsd knot unbound pdns-recursor kresd@1; do
    systemctl is-active --quiet "$s" 2>/dev/null && systemctl stop "$s" || true
  done
fi
