#!/usr/bin/env bash
# Configures and builds in ./build (Release with debug info, -O2 -g) the
# targets named: by default srvd alone, what serving needs (the README's
# first command: a few minutes on 2 cores instead of the ~12 that every test
# and bench take); `all` for the tests, fuzzers' helpers and benches too.
#   scripts/build.sh            srvd
#   scripts/build.sh all        everything (scripts/test.sh, bench/)
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(srvd)
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target "${targets[@]}"
