// Loads the wasm module once. The Emscripten glue is built for web and worker only (no
// __dirname, no Node code paths), so this loader fetches or reads the .wasm bytes itself and
// hands them over as wasmBinary: the same code runs in Node, browsers and Web Workers.
import createRnnModule from './wasm/rnn.mjs';
import { RnnError } from './errors.js';
import type { RawModule } from './raw.js';

/** Where the wasm comes from; the default is `wasm/rnn.wasm` beside this file. */
export interface InitOptions {
  /** The .wasm file's bytes, for set-ups that load it themselves. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where to fetch the .wasm file from (http(s): or, in Node, file: URLs). */
  wasmUrl?: string | URL;
}

let loading: Promise<RawModule> | undefined;
let loaded: RawModule | undefined;

/**
 * Loads and compiles the wasm module. Call once before anything else; later calls resolve at once.
 *
 * @example
 * await init();
 * const cell = new LSTMCell({ inputSize: 4, hiddenSize: 8 });
 */
export function init(options: InitOptions = {}): Promise<void> {
  loading ??= load(options).then(
    (module) => (loaded = module),
    (error: unknown) => {
      loading = undefined; // a failed load may be retried, e.g. with another wasmUrl
      throw error;
    },
  );
  return loading.then(() => undefined);
}

/** The loaded module; throws if `init()` has not finished. */
export function wasm(): RawModule {
  if (!loaded) throw new RnnError('argument', 'rnn-wasm is not initialised: await init() first');
  return loaded;
}

/**
 * Which build runs: `'simd'` (WebAssembly SIMD128 kernels) or `'baseline'`.
 *
 * @example
 * await init(); console.log(backend()); // 'simd'
 */
export function backend(): 'simd' | 'baseline' {
  return wasm()._hasSimd() ? 'simd' : 'baseline';
}

/** Bytes of wasm memory in use by the module (it grows, never shrinks). For memory tests. */
export function heapBytes(): number {
  return wasm()._heapBytes();
}

async function load(options: InitOptions): Promise<RawModule> {
  const wasmBinary = options.wasmBinary ?? (await fetchBytes(options.wasmUrl ?? new URL('./wasm/rnn.wasm', import.meta.url)));
  return createRnnModule({ wasmBinary });
}

async function fetchBytes(location: string | URL): Promise<ArrayBuffer | Uint8Array> {
  const url = new URL(location, import.meta.url);
  if (url.protocol === 'file:') {
    // Node: fetch() does not read file: URLs. The specifier is hidden from bundlers, which
    // never take this path (their URLs are http(s):).
    const fsName = 'node:fs/promises';
    const fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fsName)) as typeof import('node:fs/promises');
    return fs.readFile(url);
  }
  const response = await fetch(url);
  if (!response.ok) throw new RnnError('argument', `init: could not fetch the wasm from ${url.href}: HTTP ${response.status}`);
  return response.arrayBuffer();
}
