#!/usr/bin/env bash
# npm run bench [-- --quick]: set-up (with python3-onnx), both builds, the native core's
# benchmark program, then bench/bench.mjs, which writes docs/benchmarks.md.
# npm run bench -- --train [--quick]: the training benchmark instead (bench/train.mjs): set-up with
# Debian's PyTorch (its reference column), both builds, then rnn-wasm against its peers.
# npm run bench -- --fit [--quick]: fit() in its worker against the calling thread, in Node and
# Chromium (bench/fit.mjs).
# npm run bench -- --browser [--quick]: the workloads in Chromium, rnn-wasm's relaxed and SIMD
# builds against ONNX Runtime Web at 1 thread, then both at 2 and 4 (bench/browser.mjs).
# npm run bench -- --thresholds [--quick]: where threads start to pay (bench/thresholds.mjs).
# npm run bench -- --int8-dot: the int8 kernel (dot_i16x8) against float32 and the alternatives.
set -euo pipefail
cd "$(dirname "$0")/.."
# route FLAG 'SETUP-OPTIONS' SCRIPT: when FLAG is among the arguments, set up (scripts/setup.sh
# with those options), build and run SCRIPT with the other arguments.
route() {
  local flag=$1 setup=$2 script=$3
  shift 3
  local rest=() found=
  for a in "$@"; do
    if [ "$a" = "$flag" ]; then found=1; else rest+=("$a"); fi
  done
  [ -n "$found" ] || return 0
  # shellcheck disable=SC2086 # the options are words
  bash scripts/setup.sh $setup
  bash scripts/build.sh
  exec node "$script" "${rest[@]}"
}
route --fit --browser bench/fit.mjs "$@"
route --browser '--bench --browser' bench/browser.mjs "$@"
route --train --torch bench/train.mjs "$@"
route --thresholds '' bench/thresholds.mjs "$@"
# --int8-dot: the int8 matrix-vector kernel against float32, the kernel it replaced and a faster,
# less exact one (bench/int8_dot.cpp), a wasm program of its own built from the kernels.
if [[ " $* " == *" --int8-dot "* ]]; then
  bash scripts/setup.sh
  export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
  mkdir -p build/int8-dot
  em++ -std=c++17 -O3 -msimd128 -DRNN_HAVE_WASM_SIMD -DNDEBUG -sALLOW_MEMORY_GROWTH=1 -sSINGLE_FILE=1 bench/int8_dot.cpp \
    cpp/kernels/{gemv_wasm_simd,int8,int8_scalar,int8_wasm_simd,packed}.cpp -o build/int8-dot/int8_dot.cjs
  exec node build/int8-dot/int8_dot.cjs
fi
bash scripts/setup.sh --bench
bash scripts/build.sh
if [ ! -f build/native/CMakeCache.txt ]; then
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build/native --target native_bench -j "$(nproc 2>/dev/null || echo 2)"
node bench/bench.mjs "$@"
