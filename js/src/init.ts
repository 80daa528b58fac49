// Loads the wasm module once. Five builds ship: 'relaxed' (SIMD128 kernels whose multiply-adds
// are relaxed SIMD's fused f32x4.relaxed_madd), 'simd' (WebAssembly SIMD128 kernels) and
// 'baseline' (scalar kernels, for engines without SIMD); init() picks the first the engine runs.
// 'relaxed-threads' and 'simd-threads' are the first two over shared memory, with a pool of
// worker threads (threads.ts); init() takes one where threads are allowed and more than one is
// asked for (the default, 'auto', asks for the cores, at most 4). One glue serves all five.
// Each build's wasm is embedded in an ES module (gzip, base64; scripts/embed-wasm.mjs) and handed
// to the Emscripten glue as wasmBinary. No URL is resolved, so the same code runs unchanged in
// browsers, Web Workers and whatever a bundler makes of it; Node reads the bare .wasm instead
// when it is there, which starts faster. The glue, the same for both builds, is built for web
// and worker only (no __dirname, no Node code paths) and imported statically: given
// wasmBinary, init() needs neither import() nor fetch, as in an AudioWorklet.
import { RnnError } from './errors.js';
import type { RawModule } from './raw.js';
import { autoThreadCount, startThreads, threadsAllowed } from './threads.js';
import createRnnModule from './wasm/rnn.mjs';

export type Backend = 'relaxed' | 'simd' | 'baseline' | 'relaxed-threads' | 'simd-threads';
const BACKENDS: readonly Backend[] = ['relaxed', 'simd', 'baseline', 'relaxed-threads', 'simd-threads'];
type Kernels = 'relaxed' | 'simd' | 'baseline';

/** Where the wasm comes from, and which build. */
export interface InitOptions {
  /**
   * Force a build; the default is 'relaxed' where the engine runs relaxed SIMD (Chrome, Edge,
   * Firefox and Node 22+ do; Node 20 with --experimental-wasm-relaxed-simd), else 'simd' where it runs SIMD128,
   * else 'baseline'; with '-threads' when more than one thread runs (see `threads`).
   */
  backend?: Backend;
  /**
   * Threads for the matrix products and the recurrence: a number, or 'auto' (the default): the
   * cores the engine reports, at most 4. Threads need shared memory, which Node always allows
   * and a browser only on a cross-origin-isolated page (served with
   * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`);
   * elsewhere rnn-wasm runs on one thread, and says why in one console warning if more were
   * asked for. Results are the same bits for any thread count.
   */
  threads?: number | 'auto';
  /**
   * The .wasm file's bytes (of the chosen backend's build), for set-ups that load it themselves.
   * The default is the copy embedded in the package. Without `backend`, they are taken for the
   * one-thread build init() would pick; a threaded build's file needs `backend: '…-threads'`.
   */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /**
   * Where to fetch the .wasm file from (http(s): or, in Node, file: URLs), e.g. to let a browser
   * cache `node_modules/rnn-wasm/dist/wasm/rnn-simd.wasm` on its own. The default is the copy
   * embedded in the package.
   */
  wasmUrl?: string | URL;
}

let loading: Promise<RawModule> | undefined;
let loaded: RawModule | undefined;
// The wasm this module runs, kept for fit()'s worker, which starts its own copy from it.
let source: { wasmBinary: Uint8Array; backend: Backend } | undefined;
let warnedSingleThread = false;

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
 * Which build runs: `'relaxed'` (SIMD128 with fused multiply-adds), `'simd'` (WebAssembly SIMD128
 * kernels) or `'baseline'`.
 *
 * @example
 * await init(); console.log(backend()); // 'relaxed' in Chrome, 'simd' in Node 20
 */
export function backend(): Backend {
  return wasm()._build();
}

/**
 * How many threads run: 1, or the number a threaded build started (see `init({ threads })`).
 *
 * @example
 * await init({ threads: 2 }); console.log(threads()); // 2 in Node and on a cross-origin-isolated page, else 1
 */
export function threads(): number {
  return wasm()._threads();
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

// The same with the one relaxed-SIMD instruction the relaxed build uses: `() -> v128` computing
// f32x4.relaxed_madd of three i8x16.splat(0). It validates exactly where the engine runs that build.
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, //       type section: () -> v128
  0x03, 0x02, 0x01, 0x00, //                         function section: one function of type 0
  0x0a, 0x13, 0x01, 0x11, 0x00, //                   code section: one body of 17 bytes, no locals
  0x41, 0x00, 0xfd, 0x0f, 0x41, 0x00, 0xfd, 0x0f, // i32.const 0; i8x16.splat (twice)
  0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x85, 0x02, 0x0b, // i32.const 0; i8x16.splat; f32x4.relaxed_madd; end
]);

/** True where the engine runs relaxed SIMD's f32x4.relaxed_madd (and so the 'relaxed' build). */
export function relaxedSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(RELAXED_PROBE);
}

const SUPPORTED: Record<Kernels, { runs: () => boolean; missing: string }> = {
  relaxed: { runs: relaxedSimdSupported, missing: 'relaxed SIMD (Node 20 runs it with --experimental-wasm-relaxed-simd)' },
  simd: { runs: simdSupported, missing: 'WebAssembly SIMD' },
  baseline: { runs: () => true, missing: '' },
};
const KERNELS: readonly Kernels[] = ['relaxed', 'simd', 'baseline'];

const kernelsOf = (b: Backend): Kernels => b.replace('-threads', '') as Kernels;

async function load(options: InitOptions): Promise<RawModule> {
  if (options.backend !== undefined && !BACKENDS.includes(options.backend)) {
    throw new RnnError('argument', `init: backend must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}, got '${String(options.backend)}'`);
  }
  const chosen = await chooseBuild(options);
  const kernels = kernelsOf(chosen.backend);
  if (!SUPPORTED[kernels].runs()) throw new RnnError('argument', `init: backend '${chosen.backend}' was asked for, but this engine has no ${SUPPORTED[kernels].missing}`);
  const wasmBinary = options.wasmBinary
    ?? (options.wasmUrl !== undefined ? await fetchBytes(options.wasmUrl) : await packagedWasm(chosen.backend));
  const bytes = wasmBinary instanceof Uint8Array ? wasmBinary : new Uint8Array(wasmBinary);
  const module = chosen.backend.endsWith('-threads') ? await loadThreaded(bytes, chosen.threads) : await createRnnModule({ wasmBinary });
  source = { wasmBinary: bytes, backend: chosen.backend };
  return module;
}

// The build and thread count for init's options.
async function chooseBuild(options: InitOptions): Promise<{ backend: Backend; threads: number }> {
  const asked = options.threads ?? 'auto';
  if (asked !== 'auto' && !(Number.isInteger(asked) && asked >= 1 && asked <= 64)) {
    throw new RnnError('argument', `init: threads must be 'auto' or an integer from 1 to 64, got ${String(asked)}`);
  }
  const forced = options.backend;
  if (forced && !forced.endsWith('-threads')) {
    if (typeof asked === 'number' && asked > 1) {
      const instead = forced === 'baseline' ? ' (there is no threaded baseline build)' : `; ask for '${forced}-threads' (or leave backend out) to use ${asked}`;
      throw new RnnError('argument', `init: backend '${forced}' runs on one thread${instead}`);
    }
    return { backend: forced, threads: 1 };
  }
  // Bytes of one's own, without a backend, are a one-thread build's, as they were before threads.
  if (!forced && (options.wasmBinary !== undefined || options.wasmUrl !== undefined)) {
    if (typeof asked === 'number' && asked > 1) {
      throw new RnnError('argument', `init: threads: ${asked} with wasmBinary or wasmUrl needs backend: 'relaxed-threads' or 'simd-threads' (and that build's file)`);
    }
    return { backend: KERNELS.find((k) => SUPPORTED[k].runs())!, threads: 1 };
  }
  const permission = threadsAllowed();
  if (forced && !permission.allowed) throw new RnnError('argument', `init: backend '${forced}' needs threads, but ${permission.why}`);
  const wanted = asked === 'auto' ? (permission.allowed ? await autoThreadCount() : 1) : asked;
  const kernels = forced ? kernelsOf(forced) : KERNELS.find((k) => SUPPORTED[k].runs())!;
  if (forced) return { backend: forced, threads: Math.max(wanted, 1) };
  if (wanted <= 1 || kernels === 'baseline') return { backend: kernels, threads: 1 };
  if (!permission.allowed) {
    if (!warnedSingleThread) console.warn(`rnn-wasm: init({ threads: ${wanted} }) runs 1 thread: ${permission.why}`);
    warnedSingleThread = true;
    return { backend: kernels, threads: 1 };
  }
  return { backend: `${kernels}-threads` as Backend, threads: wanted };
}

// A threaded build: the glue over a shared memory, then the workers over the same memory.
async function loadThreaded(bytes: Uint8Array, n: number): Promise<RawModule> {
  const compiled = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  // The module's own limits (16 MB initial, 2 GB maximum), in 64 KB pages.
  const memory = new WebAssembly.Memory({ initial: 256, maximum: 32768, shared: true });
  // The glue has no way to hear of a failed instantiation: it would wait for ever.
  let fail!: (error: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const module = await Promise.race([failed, createRnnModule({
    wasmMemory: memory,
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled), (error: Error) => {
        fail(new RnnError('argument', `init: this wasm is not a threaded build's (${error.message}); pass the file of the backend asked for`));
      });
      return {};
    },
  })]);
  await startThreads(module, compiled, memory, n);
  return module;
}

/**
 * @internal The bytes and build of a single-threaded wasm like the loaded one (the loaded one
 * itself, or for a threaded build its one-thread sibling), for a worker to load.
 */
export async function wasmSource(): Promise<{ wasmBinary: Uint8Array; backend: Backend }> {
  wasm();
  if (!source!.backend.endsWith('-threads')) return source!;
  const backend = kernelsOf(source!.backend);
  const bytes = await packagedWasm(backend);
  return { wasmBinary: bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), backend };
}

async function packagedWasm(build: Backend): Promise<ArrayBuffer | Uint8Array> {
  return (await wasmFileInNode(build)) ?? (await embeddedWasm(build));
}

// Node reads the bare .wasm beside this module: unpacking the embedded copy through Node's web
// streams costs ~70 ms of a cold start that is otherwise ~60 ms. Undefined where that file is
// not there (code bundled for Node), or not in Node. The URL is built from a variable, so
// bundlers do not take it for an asset.
async function wasmFileInNode(build: Backend): Promise<Uint8Array | undefined> {
  if (typeof process !== 'object' || !process.versions?.node) return undefined;
  const here = import.meta.url;
  try {
    return await readFileInNode(new URL(`./wasm/rnn-${build}.wasm`, here));
  } catch {
    return undefined;
  }
}

async function readFileInNode(url: URL): Promise<Uint8Array> {
  // The specifier is hidden from bundlers; browsers never take this path.
  const fsName = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fsName)) as typeof import('node:fs/promises');
  return fs.readFile(url);
}

async function embeddedWasm(build: Backend): Promise<ArrayBuffer> {
  // Literal specifiers, so bundlers see both files and split them: only the chosen one loads.
  const embedded = build === 'relaxed' ? await import('./wasm/rnn-relaxed.bytes.mjs')
    : build === 'simd' ? await import('./wasm/rnn-simd.bytes.mjs')
      : build === 'relaxed-threads' ? await import('./wasm/rnn-relaxed-threads.bytes.mjs')
        : build === 'simd-threads' ? await import('./wasm/rnn-simd-threads.bytes.mjs') : await import('./wasm/rnn-baseline.bytes.mjs');
  if (typeof DecompressionStream !== 'function') {
    throw new RnnError('argument', 'init: this engine has no DecompressionStream to unpack the embedded wasm; pass init({ wasmUrl }) or init({ wasmBinary }) with the .wasm from rnn-wasm/dist/wasm/');
  }
  const text = atob(embedded.default);
  const gzip = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) gzip[i] = text.charCodeAt(i);
  return new Response(new Blob([gzip]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer();
}

async function fetchBytes(location: string | URL): Promise<ArrayBuffer | Uint8Array> {
  let url: URL;
  try {
    url = new URL(location, globalThis.location?.href); // relative to the page, where there is one
  } catch {
    throw new RnnError('argument', `init: wasmUrl '${String(location)}' is not an absolute URL (in Node, use a file: URL, e.g. pathToFileURL(path))`);
  }
  if (url.protocol === 'file:') return readFileInNode(url); // Node's fetch() does not read file: URLs
  const response = await fetch(url);
  if (!response.ok) throw new RnnError('argument', `init: could not fetch the wasm from ${url.href}: HTTP ${response.status}`);
  return response.arrayBuffer();
}
