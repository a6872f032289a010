#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. unit, answer and system tests (ctest) on the release build;
#   2. the same tests on an AddressSanitizer + UndefinedBehaviorSanitizer build;
#   3. each libFuzzer target for FUZZ_SECONDS (default 60) from fuzz/corpus.
# QUICK=1 runs the first stage only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh all
# A test that cannot run here exits 77 and ctest reports it skipped, which
# it counts as a pass: here (CI, root, every package) each must run, so a
# skip fails the run. SRVD_ALLOW_SKIP=1 allows it (a non-root developer).
no_skips() {
  local skipped
  skipped=$(grep -E '\*\*\*Skipped' "$1" || true)
  [ -z "$skipped" ] || [ "${SRVD_ALLOW_SKIP:-0}" = 1 ] && return 0
  echo "FAIL: tests skipped, which must run here (SRVD_ALLOW_SKIP=1 allows it):" >&2
  echo "$skipped" >&2
  return 1
}
ctest --test-dir build --output-on-failure --no-tests=error -j"$(nproc)" 2>&1 | tee build/ctest.log
no_skips build/ctest.log
[ "${QUICK:-0}" = 1 ] && exit 0

echo "== sanitizers: ASan + UBSan build, same tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSRVD_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)" >/dev/null
# Every report of every process (srvd started by a system test included) goes
# to a file here, and any file fails the stage, whatever the tests said: a
# leak or shutdown error after a test's last assertion still counts.
reports=$PWD/build-asan/sanitizer-reports
rm -rf "$reports" && mkdir -p "$reports"
chmod 1777 "$reports" # srvd runs as `user:` (nobody) when conf/srvd.yaml says so
status=0
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$reports/asan \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan \
  ctest --test-dir build-asan --output-on-failure --no-tests=error -j"$(nproc)" 2>&1 \
  | tee build-asan/ctest.log || status=$?
no_skips build-asan/ctest.log || status=1
if [ -n "$(ls -A "$reports")" ]; then
  for f in "$reports"/*; do echo "== $f"; cat "$f"; done
  echo "FAIL: sanitizer reports above (kept in $reports)" >&2
  exit 1
fi
[ "$status" = 0 ] || exit "$status"

echo "== fuzzing"
fuzz/run.sh "${FUZZ_SECONDS:-60}"
