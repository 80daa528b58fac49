#!/usr/bin/env bash
# npm run bench [-- --quick]: set-up (with python3-onnx), both builds, the native core's
# benchmark program, then bench/bench.mjs, which writes docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --bench
bash scripts/build.sh
if [ ! -f build/native/CMakeCache.txt ]; then
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build/native --target native_bench -j "$(nproc 2>/dev/null || echo 2)"
node bench/bench.mjs "$@"
