#!/usr/bin/env bash
# npm run bench [-- --quick]: set-up (with python3-onnx), both builds, the native core's
# benchmark program, then bench/bench.mjs, which writes docs/benchmarks.md.
# npm run bench -- --train [--quick]: the training benchmark instead (bench/train.mjs): set-up with
# Debian's PyTorch (its reference column), both builds, then rnn-wasm against its peers.
# npm run bench -- --fit [--quick]: fit() in its worker against the calling thread, in Node and
# Chromium (bench/fit.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
for arg in "$@"; do
  if [ "$arg" = --fit ]; then
    rest=()
    for a in "$@"; do [ "$a" = --fit ] || rest+=("$a"); done
    bash scripts/setup.sh --browser
    bash scripts/build.sh
    exec node bench/fit.mjs "${rest[@]}"
  fi
  if [ "$arg" = --train ]; then
    rest=()
    for a in "$@"; do [ "$a" = --train ] || rest+=("$a"); done
    bash scripts/setup.sh --torch
    bash scripts/build.sh
    exec node bench/train.mjs "${rest[@]}"
  fi
done
bash scripts/setup.sh --bench
bash scripts/build.sh
if [ ! -f build/native/CMakeCache.txt ]; then
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build/native --target native_bench -j "$(nproc 2>/dev/null || echo 2)"
node bench/bench.mjs "$@"
