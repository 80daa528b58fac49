// The threaded builds' worker threads. Emscripten's own pthread workers do not fit a library
// (3.1.6's worker script is CommonJS, a file to serve beside the page, and breaks under Node's
// ES modules), so the pool is our own: each worker is started from a short script held here as
// a string (a blob: URL in browsers, worker_threads' eval in Node), instantiates the same
// compiled module over the shared memory with stand-in imports, moves its stack pointer to a
// stack of its own, and enters the C++ pool (cpp/parallel/pool.h), where it parks between jobs.
// Workers run kernels only, never the glue: a stand-in import that is called throws.
import { RnnError } from './errors.js';
import { NODE_BUILTIN } from './node-worker.js';
import type { RawModule } from './raw.js';

/** Whether this engine lets a page use threads, and if not, why not. */
export function threadsAllowed(): { allowed: true } | { allowed: false; why: string } {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return { allowed: false, why: 'this engine has no SharedArrayBuffer' };
  }
  if (isNode()) return { allowed: true };
  if (globalThis.crossOriginIsolated !== true) {
    return {
      allowed: false,
      why: 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)',
    };
  }
  if (typeof Worker !== 'function') return { allowed: false, why: 'this context cannot start Web Workers' };
  return { allowed: true };
}

/** init({ threads: 'auto' }): the cores the engine reports, at most `limit`. */
export async function autoThreadCount(limit = 4): Promise<number> {
  let cores = 1;
  if (isNode()) {
    const osName = 'node:os';
    const os = (await import(/* @vite-ignore */ /* webpackIgnore: true */ osName)) as typeof import('node:os');
    cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  } else if (typeof navigator === 'object' && navigator.hardwareConcurrency) {
    cores = navigator.hardwareConcurrency;
  }
  return Math.max(1, Math.min(limit, cores));
}

/** Whether this thread may block in Atomics.wait: a browser page's main thread may not (it throws). */
function mayWait(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // 'not-equal' at once where allowed
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts n - 1 workers for a threaded module and resolves once all have joined the pool (the
 * module's own count, `_threads()`, then says n).
 */
export async function startThreads(module: RawModule, compiled: WebAssembly.Module, memory: WebAssembly.Memory, n: number): Promise<void> {
  const { stepWork, sequenceWork } = thresholds;
  // At most one part of a step per core (cpp/parallel/pool.h's Settings).
  const stepParts = await autoThreadCount(Infinity);
  const glue = module as unknown as GlueExports;
  const names = {
    stackRestore: exportName(glue, 'stackRestore', () => glue.stackRestore(glue.stackSave())),
    threadMain: exportName(glue, '_rnn_thread_main', () => glue._rnn_thread_main(0)),
  };
  // -1: the core's own threshold.
  const stacks = n > 1 ? module._prepareThreads(n, WORKER_STACK_BYTES, stepWork ?? -1, sequenceWork ?? -1, stepParts, mayWait()) : 1;
  if (stacks === 0) throw new RnnError('argument', `init: no memory for ${n - 1} worker threads' stacks`);
  const stackTop = (index: number) => (index === faults.trapWorker ? 16 : stacks + index * WORKER_STACK_BYTES);
  const ready = Array.from({ length: n - 1 }, (_, i) => startWorker({ module: compiled, memory, index: i + 1, stackTop: stackTop(i + 1), ...names }));
  await Promise.all(ready);
  // A worker says it is ready just before it enters the pool; wait until it is inside.
  for (let waited = 0; module._threads() !== n; waited += 1) {
    if (waited > 10_000) throw new RnnError('worker', `init: ${n - module._threads()} of the ${n - 1} worker threads did not start`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/**
 * @internal Overrides of the pool's thresholds, the work below which a call stays on one thread
 * (cpp/parallel/pool.h, Settings, where their values are and why): bench/thresholds.mjs sets
 * both to 0 before init, to time every call split. Unset, the core's values hold.
 */
export const thresholds: { stepWork?: number; sequenceWork?: number } = {};

/**
 * @internal Fault injection for tests: worker `trapWorker` gets a stack at address 16, so its
 * first task traps (out of bounds), as a worker whose code went wrong would.
 */
export const faults = { trapWorker: 0 };

// Enough for the pool's and the kernels' frames (a few KB).
const WORKER_STACK_BYTES = 64 * 1024;

interface GlueExports {
  asm: Record<string, unknown>;
  stackSave(): number;
  stackRestore(top: number): void;
  _rnn_thread_main(index: number): void;
}

// The glue calls an export through a wrapper that, on its first call, replaces itself with the
// export; the name Emscripten gave it (minified) is then the key holding that same function.
function exportName(glue: GlueExports, property: 'stackRestore' | '_rnn_thread_main', callOnce: () => void): string {
  callOnce();
  const exported = glue[property];
  const name = Object.keys(glue.asm).find((key) => glue.asm[key] === exported);
  if (name === undefined) throw new RnnError('worker', `init: the threaded build has no export for ${property}`);
  return name;
}

interface WorkerStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  index: number;
  stackTop: number;
  stackRestore: string;
  threadMain: string;
}

// Runs in the worker. Plain JavaScript, as it is sent as source (in Node, as CommonJS or as an
// ES module: node-worker.ts).
const WORKER_SOURCE = `'use strict';
const inNode = typeof process === 'object' && !!process.versions && !!process.versions.node;
const port = inNode ? ${NODE_BUILTIN}('node:worker_threads').parentPort : self;
const receive = (handler) => inNode ? port.once('message', handler) : (self.onmessage = (e) => handler(e.data));
receive((start) => {
  const imports = {};
  for (const { module, name, kind } of WebAssembly.Module.imports(start.module)) {
    imports[module] = imports[module] || {};
    imports[module][name] = kind === 'memory' ? start.memory : () => {
      throw new Error('rnn-wasm: a worker thread called the glue (' + module + '.' + name + ')');
    };
  }
  const instance = new WebAssembly.Instance(start.module, imports);
  instance.exports[start.stackRestore](start.stackTop);
  port.postMessage('ready');
  try {
    instance.exports[start.threadMain](start.index);
  } catch (error) {
    // The thread waiting for this one's task then throws RnnError 'worker', and the module
    // goes on with one thread.
    console.error('rnn-wasm: worker thread ' + start.index + ' failed: ' + error);
    instance.exports[start.threadMain](-start.index);
  }
});
`;

async function startWorker(start: WorkerStart): Promise<void> {
  if (isNode()) {
    const name = 'node:worker_threads';
    const { Worker: NodeWorker } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as typeof import('node:worker_threads');
    const worker = new NodeWorker(WORKER_SOURCE, { eval: true });
    worker.unref(); // an idle pool never keeps Node running
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', (error) => reject(new RnnError('worker', `init: a worker thread failed to start: ${error.message}`)));
      worker.postMessage(start);
    });
    return;
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  let worker: Worker;
  try {
    worker = new Worker(url);
  } catch (error) {
    URL.revokeObjectURL(url);
    throw new RnnError('worker', `init: could not start a worker thread from a blob: URL (is it blocked by a Content-Security-Policy?): ${String(error)}`);
  }
  await new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (event) => reject(new RnnError('worker', `init: a worker thread failed to start: ${event.message ?? 'error'}`));
    worker.postMessage(start);
  }).finally(() => URL.revokeObjectURL(url));
}

function isNode(): boolean {
  return typeof process === 'object' && !!process.versions?.node;
}
