#!/usr/bin/env bash
# npm test: set-up and build, then every test: native C++ (CTest), the same C++ tests compiled
# to wasm and run by Node (CTest), and the Jest suite against the built package.
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

echo "== wasm C++ tests (Node)"
ctest --test-dir build/wasm-simd --output-on-failure

echo "== Jest"
npx tsc -p tests/js
NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--experimental-vm-modules" npx jest "$@"
