#!/usr/bin/env bash
# The sanitizer stage must fail when srvd itself reports: a srvd that leaks
# on purpose (sanitizer builds only, SRVD_SANITIZER_SELF_TEST) answers and
# stops as usual, and lib.sh's stop_srvd must see a non-zero exit and
# LeakSanitizer's report file must be there. If either is missed, a real leak
# or shutdown error in srvd would pass CI unseen.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/reports"
chmod 755 "$WORK" && chmod 1777 "$WORK/reports" # srvd writes its report as `user:` (nobody)
# Its own report directory: this deliberate leak must not fail the stage.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:log_path=$WORK/reports/asan"
SRVD_SANITIZER_SELF_TEST=1 start_srvd "$SRC/conf/srvd.yaml"
q _sip._udp.proxy-a.example.com SRV | grep -q ms1 || fail "the leaking build does not answer"
stop_srvd "$SRVD_PID" 2>"$WORK/stop.txt" && fail "a leaking srvd stopped with status 0: reports would go unseen"
grep -q "exited with status" "$WORK/stop.txt" || fail "stop_srvd said: $(cat "$WORK/stop.txt")"
grep -l "LeakSanitizer" "$WORK"/reports/asan.* >/dev/null 2>&1 || fail "no LeakSanitizer report file"
pass "a deliberately leaking srvd: $(grep -o "exited with status [0-9]*" "$WORK/stop.txt"), report in $(basename "$WORK"/reports/asan.*)"
