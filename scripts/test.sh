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
ctest --test-dir build --output-on-failure -j"$(nproc)"
[ "${QUICK:-0}" = 1 ] && exit 0

echo "== sanitizers: ASan + UBSan build, same tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSRVD_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$(nproc)"

echo "== fuzzing"
fuzz/run.sh "${FUZZ_SECONDS:-60}"
