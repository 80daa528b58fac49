// Starts fit()'s worker from the bundled script (a string: nothing to serve or configure):
// a dedicated Web Worker from a Blob URL in browsers, a worker_threads Worker in Node.
import { RnnError } from '../errors.js';
import { NODE_BUILTIN } from '../node-worker.js';
import type { FromWorker, ToWorker } from './protocol.js';

export interface WorkerPort {
  post(message: ToWorker): void;
  /** Messages from the worker, and an error that ended it. */
  listen(onMessage: (message: FromWorker) => void, onError: (error: Error) => void): void;
  terminate(): void;
}

// In Node the bundled script runs as an eval'd worker (CommonJS, or an ES module: node-worker.ts):
// give it the browser's postMessage and onmessage on top of parentPort.
const NODE_PRELUDE = `const { parentPort } = ${NODE_BUILTIN}('node:worker_threads');
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
parentPort.on('message', (data) => globalThis.onmessage && globalThis.onmessage({ data }));
`;

const inNode = () => typeof process === 'object' && typeof process.versions?.node === 'string';

export async function startWorker(): Promise<WorkerPort> {
  const source = (await import('./worker-source.mjs')).default;
  if (typeof Worker === 'function' && !inNode()) {
    let worker: Worker;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    try {
      worker = new Worker(url);
    } catch (e) {
      throw new RnnError('worker', `fit: could not start a Web Worker from a blob: URL (${(e as Error).message}); a Content-Security-Policy may need worker-src blob:, or pass { worker: false } (and run fit in your own Worker)`);
    } finally {
      setTimeout(() => URL.revokeObjectURL(url), 10_000); // once the worker has fetched it
    }
    return {
      post: (m) => worker.postMessage(m),
      listen(onMessage, onError) {
        worker.onmessage = (e: MessageEvent<FromWorker>) => onMessage(e.data);
        worker.onerror = (e) => onError(new Error(e.message || 'the worker failed to start'));
      },
      terminate: () => worker.terminate(),
    };
  }
  if (!inNode()) throw new RnnError('worker', 'fit: this environment has no Worker; pass { worker: false }');
  const name = 'node:worker_threads'; // hidden from bundlers; browsers never take this path
  const threads = (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as typeof import('node:worker_threads');
  const worker = new threads.Worker(NODE_PRELUDE + source, { eval: true });
  return {
    post: (m) => worker.postMessage(m),
    listen(onMessage, onError) {
      worker.on('message', onMessage);
      worker.on('error', onError);
    },
    terminate: () => void worker.terminate(),
  };
}
