#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. unit, answer and system tests (ctest) on the release build;
#   2. the same tests on an AddressSanitizer + UndefinedBehaviorSanitizer build;
#   3. each libFuzzer target for FUZZ_SECONDS (default 60) from fuzz/corpus.
# QUICK=1 runs the first stage only.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure --no-tests=error -j"$(nproc)"
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
  ctest --test-dir build-asan --output-on-failure --no-tests=error -j"$(nproc)" || status=$?
if [ -n "$(ls -A "$reports")" ]; then
  for f in "$reports"/*; do echo "== $f"; cat "$f"; done
  echo "FAIL: sanitizer reports above (kept in $reports)" >&2
  exit 1
fi
[ "$status" = 0 ] || exit "$status"

echo "== fuzzing"
fuzz/run.sh "${FUZZ_SECONDS:-60}"
