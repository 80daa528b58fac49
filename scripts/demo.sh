#!/usr/bin/env bash
# npm run demo: set-up, build the library and the demo, then serve it and print its URL. Vite's
# preview server sends COOP and COEP (web-demo/vite.config.js), so the page runs threads.
# npm run demo:build (scripts/demo.sh --build-only): write the static site to web-demo/dist,
# which works from any static file server, under any sub-path, offline (on one thread unless
# the server sends those two headers too).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
if [ ! -f web-demo/node_modules/.package-lock.json ] || [ web-demo/package-lock.json -nt web-demo/node_modules/.package-lock.json ]; then
  echo "demo: npm ci in web-demo"
  npm ci --prefix web-demo --no-audit --no-fund --loglevel=error
fi
for f in sentiment.safetensors sentiment.vocab.json nextword.safetensors nextword.vocab.json; do
  [ -f "web-demo/public/models/$f" ] || { echo "demo: web-demo/public/models/$f is missing (training/ writes it)" >&2; exit 1; }
done
(cd web-demo && npx vite build --logLevel warn)
echo "demo: static site in web-demo/dist ($(du -sh web-demo/dist | cut -f1))"
if [ "${1:-}" != "--build-only" ]; then
  port="${PORT:-4173}"
  echo "demo: serving at http://127.0.0.1:$port/ (Ctrl-C to stop)"
  cd web-demo && exec npx vite preview --port "$port" --strictPort
fi
