#!/usr/bin/env bash
# The Debian package, as an operator meets it: cpack builds it, apt-get
# installs it on this machine, the packaged configuration checks and serves
# (as user srvd, ctl reaching it), systemd-analyze accepts the unit, and
# remove and purge take it away again.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "skip: needs root to install a package"; exit 77; }
if dpkg-query -W -f='${Status}' srvd 2>/dev/null | grep -q 'install ok installed'; then
  echo "skip: an srvd package is installed here already; not replacing it"; exit 77
fi
BUILD=$(dirname "$SRVD")
(cd "$WORK" && cpack -G DEB -B "$WORK/pkg" --config "$BUILD/CPackConfig.cmake" >"$WORK/cpack.log" 2>&1) ||
  fail "cpack: $(cat "$WORK/cpack.log")"
deb=$(ls "$WORK"/pkg/srvd_*.deb)
info=$(dpkg-deb -I "$deb")
echo "$info" | has '^ Depends: .*libldns3.*libmaxminddb0.*libyaml-cpp' || fail "dependencies: $info"
# Debian's own checker: no error (warnings are listed, not fatal).
if command -v lintian >/dev/null; then
  lint=$(lintian "$deb" 2>&1 | grep -v 'root privileges' || true)
  echo "$lint" | has '^E: ' && fail "lintian: $lint"
  pass "lintian: no error${lint:+ ($(echo "$lint" | wc -l) other line(s): $(echo "$lint" | tr '\n' ' '))}"
fi
removed=0
remove() { [ "$removed" = 1 ] || { apt-get purge -y -q srvd >/dev/null 2>&1 || true; }; }
trap 'remove; cleanup' EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb" >"$WORK/apt.log" 2>&1 ||
  fail "apt-get install: $(cat "$WORK/apt.log")"
getent passwd srvd >/dev/null || fail "no srvd user after install"
grep -i 'warning' "$WORK/apt.log" | grep -v 'apt does not have a stable CLI' | has . &&
  fail "install warned: $(cat "$WORK/apt.log")"
[ -x /usr/sbin/srvd ] && [ -f /usr/share/man/man8/srvd.8.gz ] && [ -f /usr/lib/systemd/system/srvd.service ] || fail "files missing"
[ -f /usr/share/doc/srvd/copyright ] && [ -f /usr/share/doc/srvd/changelog.gz ] || fail "no copyright or changelog"
[ "$(stat -c %U /var/lib/srvd)" = srvd ] || fail "/var/lib/srvd not owned by srvd"
out=$(/usr/sbin/srvd check -c /etc/srvd/srvd.yaml 2>&1) || fail "check of the packaged configuration: $out"
# Without -c, the packaged configuration (as nsd and knotd default to theirs).
[ "$(/usr/sbin/srvd check 2>&1)" = "$out" ] || fail "srvd check without -c: $(/usr/sbin/srvd check 2>&1)"
echo "$out" | has 'warning' && fail "the packaged configuration draws warnings: $out"
echo "$out" | has '^  rrl: 200 answers/s per /24 and /56, slip 2$' || fail "the packaged configuration leaves rate limiting off: $out"
if command -v systemd-analyze >/dev/null; then
  out=$(systemd-analyze verify /usr/lib/systemd/system/srvd.service 2>&1) || fail "systemd-analyze verify: $out"
fi
pass "package built (depends on libldns3, libmaxminddb0, libyaml-cpp…), installed: user srvd, /var/lib/srvd, unit verified, check passes"

# The packaged configuration serves as installed, as user srvd.
/usr/sbin/srvd serve -c /etc/srvd/srvd.yaml >"$WORK/srvd.log" 2>&1 &
pid=$!
SRVD_PIDS+=("$pid")
PORT=5300
wait_for_dns 5300 || fail "the packaged configuration does not serve: $(cat "$WORK/srvd.log")"
[ "$(ps -o user= -p "$pid")" = srvd ] || fail "not running as srvd: $(ps -o user= -p "$pid")"
[ "$(q proxy-a.example.com A | awk '{print $NF}' | head -1)" = 127.0.0.11 ] || fail "no answer for proxy-a"
status=$(/usr/sbin/srvd ctl status) # the socket from /etc/srvd/srvd.yaml, the default
echo "$status" | has '^zone example.com. serial' || fail "ctl status on the packaged socket: $status"
stop_srvd "$pid"
pass "the packaged configuration serves as user srvd on 127.0.0.1:5300; ctl reaches /run/srvd/control.sock"

DEBIAN_FRONTEND=noninteractive apt-get remove -y -q srvd >/dev/null 2>&1 || fail "apt-get remove"
[ -e /usr/sbin/srvd ] && fail "/usr/sbin/srvd left after remove"
[ -f /etc/srvd/srvd.yaml ] || fail "remove took the configuration (a conffile stays until purge)"
# As `systemctl enable srvd` leaves it (made by hand: systemd may not be PID 1 here).
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /usr/lib/systemd/system/srvd.service /etc/systemd/system/multi-user.target.wants/srvd.service
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q srvd >/dev/null 2>&1 || fail "apt-get purge"
removed=1
[ -L /etc/systemd/system/multi-user.target.wants/srvd.service ] && fail "purge left the unit's enable link"
[ -e /etc/srvd/srvd.yaml ] && fail "purge left /etc/srvd/srvd.yaml"
getent passwd srvd >/dev/null && fail "purge left the srvd user"
pass "remove keeps the configuration, purge takes it, the srvd user and the enable link"
