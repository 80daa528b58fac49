#!/usr/bin/env bash
# npm run build: set-up, the three wasm builds (Emscripten: relaxed SIMD, SIMD and baseline), then
# the TypeScript API and fit()'s worker script.
# Writes dist/ (what package.json exports). Incremental: a second run rebuilds only changes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# Debian's Emscripten runs its optimizer with Node and needs Debian's node modules (acorn).
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"
command -v emcmake >/dev/null || { echo "build: emcmake not found; run scripts/setup.sh as root (apt-get install emscripten)" >&2; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p dist/wasm
for variant in relaxed simd baseline relaxed-threads simd-threads; do
  dir=build/wasm-$variant
  if [ ! -f $dir/CMakeCache.txt ]; then
    simd=$([ $variant = baseline ] && echo OFF || echo ON)
    relaxed=$([ ${variant%-threads} = relaxed ] && echo ON || echo OFF)
    threads=$([ $variant != ${variant%-threads} ] && echo ON || echo OFF)
    emcmake cmake -S . -B $dir -DCMAKE_BUILD_TYPE=Release -DRNN_WASM_SIMD=$simd -DRNN_WASM_RELAXED=$relaxed \
      -DRNN_WASM_THREADS=$threads >/dev/null
  fi
  cmake --build $dir -j "$jobs"
  cp $dir/rnn.wasm dist/wasm/rnn-$variant.wasm
done
# The builds differ only in their wasm: one Emscripten glue serves all (init.ts imports it).
for variant in relaxed baseline relaxed-threads simd-threads; do
  cmp -s build/wasm-simd/rnn.mjs build/wasm-$variant/rnn.mjs || { echo "build: the $variant build's glue differs from the simd build's; init.ts assumes one" >&2; exit 1; }
done
node scripts/minify-glue.mjs build/wasm-simd/rnn.mjs dist/wasm/rnn.mjs
rm -f dist/wasm/rnn-threads.mjs
node scripts/embed-wasm.mjs
npx tsc -p .
node scripts/bundle-worker.mjs
echo "build: dist/ ready (wasm bytes: $(for v in relaxed simd baseline relaxed-threads simd-threads; do printf '%s %s, ' $v $(wc -c < dist/wasm/rnn-$v.wasm); done))"
