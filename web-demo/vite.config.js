// The demo is a static site: relative asset paths (base './') so it works from any sub-path,
// no CDN, the models in public/models. rnn-wasm itself needs no configuration.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022' },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
