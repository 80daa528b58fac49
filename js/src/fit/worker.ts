// fit()'s worker: bundled with the library into one script (scripts/bundle-worker.mjs), which
// fit() starts from a string, so there is no file to serve. It loads the caller's wasm, rebuilds
// the model and optimizer from what the caller sent, trains, and answers stop, sync and
// checkpoint requests between steps. In Node, the host's prelude provides postMessage/onmessage.
import { RnnError } from '../errors.js';
import { init } from '../init.js';
import { modelFromState } from '../models/model-file.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { buffersOf, optimizerState, plainDict, plainOptimizerState, tensorArgs, tensorDict } from './protocol.js';
import { Run, makeOptimizer } from './run.js';

const scope = globalThis as unknown as { postMessage(message: FromWorker, transfer?: ArrayBuffer[]): void; onmessage: ((event: { data: ToWorker }) => void) | null };
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => scope.postMessage(message, transfer);

let run: Run | undefined;
// Requests that came while the worker was still loading, answered once the run exists.
const early: ToWorker[] = [];
let nextBatch: ((message: Extract<ToWorker, { type: 'batch' }>) => void) | undefined;

async function start(m: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  await init({ wasmBinary: m.wasmBinary, backend: m.backend });
  const model = modelFromState(m.kind, JSON.stringify(m.config), tensorDict(m.weights), 'fit');
  if (m.frozen.length) model.freeze(m.frozen);
  const optimizer = makeOptimizer(model, m.optimizer);
  if (m.optimizer.state) optimizer.loadStateDict(optimizerState(m.optimizer.state));
  run = new Run(model, optimizer, m.run);
  for (const request of early.splice(0)) answer(request);
  let restart = true;
  const batches = () => {
    restart = true;
    return {
      next: () => new Promise<IteratorResult<unknown>>((resolve) => {
        nextBatch = (b) => resolve(b.done ? { done: true, value: undefined } : { done: false, value: tensorArgs(b.value!) });
        post({ type: 'next-batch', restart });
        restart = false;
      }),
    };
  };
  const result = await run.train((progress) => post({ type: 'progress', progress }), m.run.streamed ? batches : undefined);
  const weights = plainDict(model.stateDict());
  post({ type: 'done', result, weights, optimizer: plainOptimizerState(optimizer.stateDict()), checkpoint: run.checkpoint() }, buffersOf(weights));
}

scope.onmessage = ({ data: m }) => {
  if (m.type === 'start') start(m).catch(fail);
  else if (m.type === 'batch') nextBatch?.(m);
  else if (!run) early.push(m);
  else answer(m);
};

function answer(m: ToWorker): void {
  try {
    if (m.type === 'stop') run!.stop();
    else if (m.type === 'sync') {
      const weights = plainDict(run!.model.stateDict());
      post({ type: 'weights', id: m.id, weights }, buffersOf(weights)); // moved, not copied: a sync costs the worker one copy out of wasm
    }
    else if (m.type === 'checkpoint') post({ type: 'checkpoint', id: m.id, bytes: run!.checkpoint() });
  } catch (e) {
    fail(e);
  }
}

function fail(e: unknown): void {
  post({ type: 'error', code: e instanceof RnnError ? e.code : 'worker', message: e instanceof Error ? e.message : String(e) });
}
