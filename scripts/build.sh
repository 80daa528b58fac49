#!/usr/bin/env bash
# npm run build: set-up, the wasm module (Emscripten, SIMD build), then the TypeScript API.
# Writes dist/ (what package.json exports). Incremental: a second run rebuilds only changes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# Debian's Emscripten runs its optimizer with Node and needs Debian's node modules (acorn).
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
command -v emcmake >/dev/null || { echo "build: emcmake not found; run scripts/setup.sh as root (apt-get install emscripten)" >&2; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -f build/wasm-simd/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm-simd -DCMAKE_BUILD_TYPE=Release -DRNN_WASM_SIMD=ON >/dev/null
fi
cmake --build build/wasm-simd -j "$jobs"

mkdir -p dist/wasm
cp build/wasm-simd/rnn.mjs build/wasm-simd/rnn.wasm dist/wasm/
npx tsc -p .
echo "build: dist/ ready ($(wc -c < dist/wasm/rnn.wasm) bytes of wasm)"
