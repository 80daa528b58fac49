// The demo is a static site: relative asset paths (base './') so it works from any sub-path,
// no CDN, the models in public/models. rnn-wasm is excluded from dependency pre-bundling so its
// `new URL('./wasm/...', import.meta.url)` keeps pointing at its .wasm files.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  optimizeDeps: { exclude: ['rnn-wasm'] },
  worker: { format: 'es' },
  build: { target: 'es2022' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
