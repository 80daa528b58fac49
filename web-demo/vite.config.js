// The demo is a static site: relative asset paths (base './') so it works from any sub-path,
// no CDN, the models in public/models. rnn-wasm itself needs no configuration.
// Both servers send the two headers that make the page cross-origin isolated, which rnn-wasm
// needs to run threads (a static host must send them too; without them it runs one thread).
import { defineConfig } from 'vite';

const isolated = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022' },
  server: { host: '127.0.0.1', headers: isolated },
  preview: { host: '127.0.0.1', headers: isolated },
});
