#!/usr/bin/env bash
# Configures and builds srvd in ./build (Release with debug info, -O2 -g).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build build -j"$(nproc)"
