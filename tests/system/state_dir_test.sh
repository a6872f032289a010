#!/usr/bin/env bash
# state_dir as a real host has it (#25, #27): started as root with `user:`,
# srvd makes a missing state_dir owned by that user, keeps drains across a
# restart, never writes through a link its user planted there, and says so
# (check, ctl drain's exit status) when the directory is not writable.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "not root: state_dir ownership needs root (skipped)"; exit 77; }
chmod 755 "$WORK" # nobody reads the configuration after the switch
mkdir -p "$WORK/zones"
sed 's/serial: 2026112601/serial: auto/' "$SRC/zones/example.com.yaml" >"$WORK/zones/example.com.yaml"
printf 'zones: [zones]\nuser: nobody\nstate_dir: state\ncontrol: { socket: %s }\n' "$WORK/ctl.sock" >"$WORK/srvd.yaml"
ctl() { "$SRVD" ctl -s "$WORK/ctl.sock" "$@"; }

out=$("$SRVD" check -c "$WORK/srvd.yaml" 2>&1) || fail "check: $out"
echo "$out" | has "^  state_dir $WORK/state (missing: serve makes it, owned by nobody): drains and automatic serials$" \
  || fail "check does not say state_dir is missing: $out"
start_srvd "$WORK/srvd.yaml"
[ "$(stat -c %U "$WORK/state")" = nobody ] || fail "state_dir made owned by $(stat -c %U "$WORK/state")"
out=$(ctl drain ms1) || fail "ctl drain: $out"
[ "$(stat -c %U "$WORK/state/drains")" = nobody ] && grep -q '^example.com. ms1$' "$WORK/state/drains" \
  || fail "drains file: $(ls -l "$WORK/state") $(cat "$WORK/state/drains")"
stop_srvd "$SRVD_PID"
start_srvd "$WORK/srvd.yaml"
ctl status | has 'ms1: drained' || fail "the drain did not survive a restart: $(ctl status)"
pass "a missing state_dir is made owned by nobody; a drain is kept across a restart"

# The user srvd runs as plants links under the temporary names root writes
# at start-up (the serials of a changed serial: auto zone): root must not
# follow them.
stop_srvd "$SRVD_PID"
echo precious >"$WORK/victim"
su nobody -s /bin/sh -c "ln -s '$WORK/victim' '$WORK/state/serials.new'; ln -s '$WORK/victim' '$WORK/state/drains.new'"
echo '  - "new IN A 192.0.2.99"' >>"$WORK/zones/example.com.yaml"
start_srvd "$WORK/srvd.yaml"
ctl undrain ms1 >/dev/null || fail "undrain"
[ "$(cat "$WORK/victim")" = precious ] || fail "root wrote through a planted link: $(cat "$WORK/victim")"
[ -f "$WORK/state/serials" ] && [ ! -L "$WORK/state/serials" ] || fail "serials: $(ls -l "$WORK/state")"
grep -q '^example.com. ' "$WORK/state/serials" || fail "serials not written: $(cat "$WORK/state/serials")"
pass "links planted as serials.new and drains.new are not followed; the files are written"

# A state_dir srvd's user cannot write in: check warns, drain exits 1
# (in force all the same), --temporary says that is intended.
stop_srvd "$SRVD_PID"
chown root "$WORK/state" && chmod 755 "$WORK/state"
out=$("$SRVD" check -c "$WORK/srvd.yaml" 2>&1) || fail "check: $out"
echo "$out" | has "warning: .*user nobody cannot write in $WORK/state: .*drains and automatic serials are not kept across restarts" \
  || fail "check does not warn that nobody cannot write in state_dir: $out"
start_srvd "$WORK/srvd.yaml"
out=$(ctl drain ms2 2>&1) && fail "a drain that cannot be kept exited 0: $out"
echo "$out" | has 'not kept across restarts' || fail "ctl drain: $out"
ctl status | has 'ms2: drained' || fail "the drain is not in force"
out=$(ctl drain ms3 --temporary) || fail "ctl drain --temporary: $out"
pass "state_dir not writable: check warns, ctl drain exits 1 (drained all the same), --temporary exits 0"

# The README's own configuration keeps drains across a restart.
stop_srvd "$SRVD_PID"
mkdir -p "$WORK/tree"
cp -r "$SRC/conf" "$SRC/zones" "$WORK/tree/"
printf 'control: { socket: %s }\n' "$WORK/tree.sock" >>"$WORK/tree/conf/srvd.yaml"
start_srvd "$WORK/tree/conf/srvd.yaml"
"$SRVD" ctl -s "$WORK/tree.sock" drain ms2 >/dev/null || fail "drain with conf/srvd.yaml"
stop_srvd "$SRVD_PID"
start_srvd "$WORK/tree/conf/srvd.yaml"
"$SRVD" ctl -s "$WORK/tree.sock" status | has 'ms2: drained' || fail "conf/srvd.yaml lost a drain over a restart"
[ "$(stat -c %U "$WORK/tree/state")" = nobody ] || fail "conf/srvd.yaml's state_dir is not nobody's"
pass "conf/srvd.yaml keeps its drains across a restart (state/ in the tree, owned by nobody)"
