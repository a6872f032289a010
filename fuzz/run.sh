#!/usr/bin/env bash
# Builds the fuzzers (clang-14, ASan + UBSan + libFuzzer) and runs each for a
# bounded time from the committed seed corpus. Any crash, leak or sanitizer
# report fails the run.   fuzz/run.sh [SECONDS_EACH]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-60}
for p in clang-14 libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" >/dev/null
done
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DSRVD_FUZZ=ON -DSRVD_SANITIZE=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_answer_engine fuzz_zone_policy
# A failing input (crash-*, leak-*, timeout-*) and the fuzzer's whole log stay
# in fuzz/artifacts/ (not committed) for whoever reproduces it:
#   build-fuzz/fuzz/fuzz_TARGET fuzz/artifacts/TARGET-crash-…
mkdir -p fuzz/artifacts
for target in answer_engine zone_policy; do
  corpus=$(mktemp -d)   # new inputs go here; the committed seeds stay as they are
  log=fuzz/artifacts/$target.log
  echo "fuzzing $target for ${SECONDS_EACH}s"
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    build-fuzz/fuzz/fuzz_$target -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$target-" "$corpus" "fuzz/corpus/$target" \
      >"$log" 2>&1; then
    cat "$log"
    echo "FAIL: fuzzing $target: the input and this log are in fuzz/artifacts/" >&2
    exit 1
  fi
  tail -12 "$log"
  rm -rf "$corpus"
done
echo "fuzzing: no crashes"
