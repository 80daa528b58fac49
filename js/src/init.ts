// Loads the wasm module once. Two builds ship: 'simd' (WebAssembly SIMD128 kernels) and
// 'baseline' (scalar kernels, for engines without SIMD); init() picks one by feature detection.
// The Emscripten glue is built for web and worker only (no __dirname, no Node code paths), so
// this loader fetches or reads the .wasm bytes itself and hands them over as wasmBinary: the
// same code runs in Node, browsers and Web Workers.
import { RnnError } from './errors.js';
import type { RawModule } from './raw.js';

export type Backend = 'simd' | 'baseline';

/** Where the wasm comes from, and which build. */
export interface InitOptions {
  /** Force a build; the default is 'simd' where the engine supports it, else 'baseline'. */
  backend?: Backend;
  /** The .wasm file's bytes (of the chosen backend's build), for set-ups that load it themselves. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where to fetch the .wasm file from (http(s): or, in Node, file: URLs). */
  wasmUrl?: string | URL;
}

let loading: Promise<RawModule> | undefined;
let loaded: RawModule | undefined;

/**
 * Loads and compiles the wasm module. Call once before anything else; later calls resolve at once
 * (their options are ignored).
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
export function backend(): Backend {
  return wasm()._hasSimd() ? 'simd' : 'baseline';
}

/** Bytes of wasm memory in use by the module (it grows, never shrinks). For memory tests. */
export function heapBytes(): number {
  return wasm()._heapBytes();
}

// The smallest module using SIMD128: one function `() -> v128` computing i8x16.splat(i32.const 0).
// It validates exactly where the engine implements SIMD128 (as wasm-feature-detect's probe does).
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, //       type section: () -> v128
  0x03, 0x02, 0x01, 0x00, //                         function section: one function of type 0
  0x0a, 0x0a, 0x01, 0x08, 0x00, //                   code section: one body, no locals
  0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b, //       i32.const 0; i8x16.splat; i8x16.popcnt; end
]);

export function simdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

async function load(options: InitOptions): Promise<RawModule> {
  const chosen = options.backend ?? (simdSupported() ? 'simd' : 'baseline');
  if (chosen !== 'simd' && chosen !== 'baseline') throw new RnnError('argument', `init: backend must be 'simd' or 'baseline', got '${String(chosen)}'`);
  if (chosen === 'simd' && !simdSupported()) throw new RnnError('argument', "init: backend 'simd' was asked for, but this engine has no WebAssembly SIMD");
  // Literal specifiers, so bundlers see both glue files and load only the one chosen.
  const glue = chosen === 'simd' ? await import('./wasm/rnn-simd.mjs') : await import('./wasm/rnn-baseline.mjs');
  const defaultUrl = chosen === 'simd' ? new URL('./wasm/rnn-simd.wasm', import.meta.url) : new URL('./wasm/rnn-baseline.wasm', import.meta.url);
  const wasmBinary = options.wasmBinary ?? (await fetchBytes(options.wasmUrl ?? defaultUrl));
  return glue.default({ wasmBinary });
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
