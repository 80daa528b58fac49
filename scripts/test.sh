#!/usr/bin/env bash
# npm test: set-up and build, then every test: native C++ (CTest), the same C++ tests compiled
# to wasm and run by Node (CTest) for both builds, and the Jest suite against the built package,
# once with each build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
jobs=$(nproc 2>/dev/null || echo 2)

echo "== native C++ tests"
if [ ! -f build/native/CMakeCache.txt ]; then
  cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build/native -j "$jobs"
ctest --test-dir build/native --output-on-failure

for variant in simd baseline; do
  echo "== wasm C++ tests, $variant build (Node)"
  ctest --test-dir build/wasm-$variant --output-on-failure
done

echo "== size budget"
node scripts/size.mjs --check

echo "== examples"
node examples/lstm-cell.mjs >/dev/null
node examples/models.mjs >/dev/null

npx tsc -p tests/js
for variant in simd baseline; do
  echo "== Jest, $variant build"
  RNN_WASM_BACKEND=$variant NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--experimental-vm-modules" npx jest "$@"
done

echo "== the demo in Chromium"
bash scripts/setup.sh --browser
bash scripts/demo.sh --build-only
node tests/e2e/demo.test.mjs
