#!/usr/bin/env bash
# npm test: set-up and build, then every test: native C++ (CTest), the same C++ tests compiled
# to wasm and run by Node (CTest) for each build (relaxed SIMD, SIMD, baseline, and the first
# two with threads), the
# documentation's examples, the Jest suite against the built package once with each build, the
# demo in Chromium (where init() picks the relaxed build), and the packed package in fresh
# consumer projects.
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

echo "== native C++ tests under ASan + UBSan"
bash scripts/sanitize.sh

echo "== fuzzing what a model file reaches in C++ (libFuzzer, ASan, UBSan)"
bash scripts/fuzz.sh

for variant in relaxed simd baseline relaxed-threads simd-threads; do
  echo "== wasm C++ tests, $variant build (Node)"
  ctest --test-dir build/wasm-$variant --output-on-failure
done

echo "== size budget"
node scripts/size.mjs --check

echo "== examples, and every code example in the README and docs/"
node examples/lstm-cell.mjs >/dev/null
node examples/models.mjs >/dev/null
node tests/docs/run-examples.mjs

echo "== API reference (docs/api) up to date with the TSDoc comments"
api=$(mktemp -d)
npx typedoc --out "$api" >/dev/null
diff -r "$api" docs/api || { echo "docs/api is stale: run npm run docs" >&2; exit 1; }
rm -rf "$api"

npx tsc -p tests/js
for variant in relaxed simd baseline relaxed-threads simd-threads; do
  echo "== Jest, $variant build"
  # Node 20 runs relaxed SIMD only behind a V8 flag (Chromium runs it by default), which
  # NODE_OPTIONS does not take: it goes to node itself, and Jest's workers inherit it.
  flags=()
  [ ${variant%-threads} = relaxed ] && flags=(--experimental-wasm-relaxed-simd)
  RNN_WASM_BACKEND=$variant NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--experimental-vm-modules" node "${flags[@]}" node_modules/jest/bin/jest.js "$@"
done

# Node 22 and later run relaxed SIMD by default, so there init() takes relaxed-threads.
bash scripts/setup.sh --node-lts
echo "== Jest, relaxed-threads build, on Node $(build/node-lts/bin/node --version) (the current LTS)"
RNN_WASM_BACKEND=relaxed-threads NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--experimental-vm-modules" build/node-lts/bin/node node_modules/jest/bin/jest.js "$@"

echo "== the demo in Chromium"
bash scripts/setup.sh --browser
bash scripts/demo.sh --build-only
node tests/e2e/demo.test.mjs

echo "== the packed package in fresh Node, Vite, webpack, esbuild and static-page projects"
node tests/consumers/run.mjs
echo "== the packed package in a fresh Node project and an esbuild bundle for Node, on Node $(build/node-lts/bin/node --version)"
PATH="$PWD/build/node-lts/bin:$PATH" node tests/consumers/run.mjs node esbuild
