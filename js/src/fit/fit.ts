// fit(model, options): training as people run it, in a worker by default so the page never
// waits, with progress, stop, an AbortSignal, weights synced back on demand and at the end.
import { RnnError } from '../errors.js';
import { wasmSource } from '../init.js';
import type { AnyModel } from '../models/model-file.js';
import { Optimizer, type Adam, type AdamOptions, type SGD, type SGDOptions } from '../optim.js';
import { preview } from '../tensor.js';
import type { FitProgress, FitResult } from './loop.js';
import { optimizerState, plainArgs, plainDict, plainOptimizerState, tensorDict, type FromWorker, type OptimizerSpec, type RunSpec } from './protocol.js';
import { Run, makeOptimizer } from './run.js';
import { startWorker } from './worker-host.js';

/** An optimizer for fit to create: its name and options (the `optim.*` constructors' options). */
export type OptimizerConfig = ({ name: 'sgd' } & SGDOptions) | ({ name: 'adam' } & AdamOptions) | ({ name: 'adamw' } & AdamOptions);

export interface FitOptions {
  /**
   * The training data, in the shape the model's `loss` takes, one example each:
   * `TextClassifier` `[ids, label]`; `Seq2Seq` `[src, tgtIn, tgtOut]`; `SequenceGenerator`
   * `[features, tgtIn, tgtOut]`; `Sequential` `[x, target]`; `LanguageModel` the text's token
   * ids (an array, an Int32Array, or an array of documents, joined). Or an async iterable of
   * batches, each the arguments of one `loss` call (`[ids[], labels]`...), read once per epoch.
   */
  data: unknown;
  /** Passes over the data. Default 1. */
  epochs?: number;
  /** Examples per step; a language model's number of streams. Default 32. */
  batchSize?: number;
  /** Language models: tokens per window (truncated backpropagation through time). Default 35. */
  bptt?: number;
  /**
   * An `optim.SGD`, `Adam` or `AdamW` of this model (its state carries over, and comes back when
   * fit ends), or one to create, e.g. `{ name: 'adam', lr: 1e-3 }` (the default).
   */
  optimizer?: Optimizer | OptimizerConfig;
  /** Clips the gradients' total 2-norm to this before each step (`clipGradNorm`). */
  clipGradNorm?: number;
  /** Data evaluated at each epoch's end (same shape as `data`): loss, and accuracy or perplexity. */
  validation?: unknown;
  /** Shuffle the examples each epoch (seeded). Default true; a language model's text keeps its order. */
  shuffle?: boolean;
  /** Seeds the shuffling: the same seed, data and model give the same weights, bit for bit. Default 0. */
  seed?: number;
  /** Stops training within one step when aborted, keeping the weights of the last complete step. */
  signal?: AbortSignal;
  /** Train off the calling thread (a Web Worker, or worker_threads in Node). Default true. */
  worker?: boolean;
  /** Called with each progress report (as `handle.progress` yields them). */
  onProgress?: (progress: FitProgress) => void;
}

/** A training run under way. */
export interface FitHandle {
  /** Progress reports, at most every 100 ms and at each epoch's end; ends when training ends. */
  progress: AsyncIterable<FitProgress>;
  /** Resolves when training ends (and the weights are in the model), or rejects with its RnnError. */
  done: Promise<FitResult>;
  /** Stops after the current step; resolves once the model holds that step's weights. */
  stop(): Promise<FitResult>;
  /** Copies the worker's current weights into the model (the optimizer's state comes back at the end). */
  sync(): Promise<void>;
  /** A checkpoint of the run as it stands (`saveCheckpoint`'s file: model, optimizer, step, epoch, generator). */
  checkpoint(): Promise<Uint8Array>;
}

/** Progress reports as an async iterable, ended by `close`. */
function progressQueue() {
  const queued: FitProgress[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const iterable: AsyncIterable<FitProgress> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (queued.length) yield queued.shift()!;
        else if (closed) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  return { iterable, push: (p: FitProgress) => (queued.push(p), poke()), close: () => ((closed = true), poke()) };
}

function positive(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isInteger(value) && value > 0)) throw new RnnError('argument', `fit: ${name} must be a positive integer, got ${preview(value)}`);
  return value;
}

/** The optimizer as the worker rebuilds it, checked here. */
function optimizerSpec(model: AnyModel, optimizer: FitOptions['optimizer']): OptimizerSpec {
  if (optimizer instanceof Optimizer) {
    if (optimizer.module !== model) throw new RnnError('argument', 'fit: the optimizer updates another model than the one given');
    return { name: optimizer.typeName as OptimizerSpec['name'], options: { ...(optimizer as SGD | Adam).options }, state: plainOptimizerState(optimizer.stateDict()) };
  }
  const { name, ...options } = (optimizer ?? { name: 'adam' }) as OptimizerConfig;
  const kinds = { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW' } as const;
  if (!Object.hasOwn(kinds, name)) throw new RnnError('argument', `fit: optimizer must be an optim.SGD, Adam or AdamW, or { name: 'sgd' | 'adam' | 'adamw', ...options }, got ${preview(optimizer)}`);
  return { name: kinds[name], options };
}

/**
 * Trains `model` on `options.data`: epochs of shuffled mini-batches through the model's `loss`,
 * with the optimizer, clipping and validation asked for, in a worker unless `worker: false`.
 * Returns at once with a handle: progress, done, stop(), sync(), checkpoint().
 *
 * @example
 * const run = fit(classifier, { data: examples, epochs: 3, optimizer: { name: 'adam', lr: 2e-3 } });
 * for await (const p of run.progress) console.log(p.epoch, p.loss.toFixed(3));
 * await run.done; // the trained weights are in classifier
 */
export function fit(model: AnyModel, options: FitOptions): FitHandle {
  if (model === null || typeof model !== 'object' || typeof (model as Partial<AnyModel>).loss !== 'function' || typeof (model as Partial<AnyModel>).kind !== 'string') {
    throw new RnnError('argument', `fit: expected a model (TextClassifier, LanguageModel, Seq2Seq, SequenceGenerator or Sequential), got ${preview(model)}`);
  }
  const o = options ?? ({} as FitOptions);
  const streamed = o.data !== null && typeof o.data === 'object' && Symbol.asyncIterator in (o.data as object);
  const seed = o.seed ?? 0;
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw new RnnError('argument', `fit: seed must be an integer in [0, 2^32), got ${preview(seed)}`);
  if (o.clipGradNorm !== undefined && !(typeof o.clipGradNorm === 'number' && o.clipGradNorm > 0)) throw new RnnError('argument', `fit: clipGradNorm must be a positive number, got ${preview(o.clipGradNorm)}`);
  if (o.signal !== undefined && !(typeof o.signal === 'object' && o.signal !== null && 'aborted' in o.signal)) throw new RnnError('argument', `fit: signal must be an AbortSignal, got ${preview(o.signal)}`);
  const spec: RunSpec = {
    epochs: positive(o.epochs, 'epochs', 1), batchSize: positive(o.batchSize, 'batchSize', 32), bptt: positive(o.bptt, 'bptt', 35),
    clipGradNorm: o.clipGradNorm, shuffle: o.shuffle ?? true, seed, data: streamed ? undefined : o.data, validation: o.validation, streamed,
  };
  const given = o.optimizer instanceof Optimizer ? o.optimizer : undefined;
  const optimizer = optimizerSpec(model, o.optimizer);
  // An optimizer fit creates is made here in either mode, so its options are checked where fit
  // was called; a worker then makes its own from the spec.
  const made = given ? undefined : makeOptimizer(model, optimizer);
  const queue = progressQueue();
  const report = (p: FitProgress) => {
    queue.push(p);
    o.onProgress?.(p);
  };
  const batches = streamed ? () => (o.data as AsyncIterable<unknown>)[Symbol.asyncIterator]() : undefined;
  let handle: Handle;
  if (o.worker ?? true) {
    made?.dispose();
    handle = inWorker(model, given, optimizer, spec, report, batches);
  } else {
    handle = here(model, given ?? made!, made !== undefined, spec, report, batches);
  }
  handle.done.then(queue.close, queue.close);
  if (o.signal) {
    if (o.signal.aborted) void handle.stop();
    else o.signal.addEventListener('abort', () => void handle.stop(), { once: true });
  }
  return { ...handle, progress: queue.iterable };
}

type Handle = Omit<FitHandle, 'progress'>;

/** On the calling thread: the loop runs on `model` itself, letting the event loop in between steps. */
function here(model: AnyModel, optimizer: Optimizer, owned: boolean, spec: RunSpec, report: (p: FitProgress) => void, batches?: () => AsyncIterator<unknown>): Handle {
  const run = new Run(model, optimizer, spec);
  let final: Uint8Array | undefined; // an optimizer fit made is freed at the end: its last checkpoint is kept
  const release = () => {
    if (!owned) return;
    try {
      final = run.checkpoint();
    } catch {
      // the model was disposed meanwhile: there is nothing to checkpoint
    }
    optimizer.dispose();
  };
  // Started on the next task, so that a validation error rejects `done` rather than throwing here.
  const done = Promise.resolve().then(() => run.train(report, batches)).finally(release);
  return {
    done,
    stop: () => (run.stop(), done),
    sync: async () => undefined, // the model itself trains
    checkpoint: async () => final ?? run.checkpoint(),
  };
}

/** In a worker: the model's weights go there, and come back on sync(), stop() and at the end. */
function inWorker(model: AnyModel, optimizer: Optimizer | undefined, spec: OptimizerSpec, run: RunSpec, report: (p: FitProgress) => void, batches?: () => AsyncIterator<unknown>): Handle {
  const source = wasmSource();
  const frozen = model.parameterRefs().filter((r) => r.frozen).map((r) => r.name);
  const weights = plainDict(model.stateDict());
  const pending = new Map<number, (m: FromWorker) => void>();
  let nextId = 0, finished = false;
  let final: Uint8Array | undefined; // the worker's last checkpoint, sent with its final weights
  let iterator: AsyncIterator<unknown> | undefined;
  let settle!: { resolve(r: FitResult): void; reject(e: unknown): void };
  const done = new Promise<FitResult>((resolve, reject) => (settle = { resolve, reject }));
  // sync() brings the weights only (the optimizer's state is twice their size); the end brings both.
  const adopt = (m: Extract<FromWorker, { type: 'weights' | 'done' }>) => {
    model.loadStateDict(tensorDict(m.weights));
    if (m.type === 'done') optimizer?.loadStateDict(optimizerState(m.optimizer));
  };
  const port = Promise.all([startWorker(), source]).then(([worker, { wasmBinary, backend }]) => {
    worker.listen((m) => {
      if (m.type === 'progress') report(m.progress);
      else if (m.type === 'weights' || m.type === 'checkpoint') pending.get(m.id)?.(m);
      else if (m.type === 'next-batch') feed(worker, m.restart);
      else if (m.type === 'done') end(worker, () => ((final = m.checkpoint), adopt(m), m.result));
      else if (m.type === 'error') end(worker, () => {
        throw new RnnError(m.code as RnnError['code'], m.message);
      });
    }, (error) => end(worker, () => {
      throw new RnnError('worker', `fit: the worker failed: ${error.message}`);
    }));
    worker.post({ type: 'start', wasmBinary, backend, kind: model.kind, config: model.config, weights, frozen, optimizer: spec, run });
    return worker;
  });
  port.catch((e) => end(undefined, () => {
    throw e;
  }));
  function end(worker: Awaited<typeof port> | undefined, outcome: () => FitResult): void {
    if (finished) return;
    finished = true;
    worker?.terminate();
    for (const answer of pending.values()) answer({ type: 'error', code: 'argument', message: 'fit: training has ended' });
    try {
      settle.resolve(outcome());
    } catch (e) {
      settle.reject(e);
    }
  }
  async function feed(worker: Awaited<typeof port>, restart: boolean): Promise<void> {
    try {
      if (restart || !iterator) iterator = batches!();
      const next = await iterator.next();
      worker.post(next.done ? { type: 'batch', done: true } : { type: 'batch', value: plainArgs(next.value as unknown[]), done: false });
    } catch (e) {
      end(worker, () => {
        throw e;
      });
    }
  }
  const ask = <T extends 'weights' | 'checkpoint'>(type: T): Promise<Extract<FromWorker, { type: T }>> => port.then((worker) => {
    if (finished) throw new RnnError('argument', 'fit: training has ended without a checkpoint');
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, (m) => {
        pending.delete(id);
        if (m.type === 'error') reject(new RnnError('argument', m.message));
        else resolve(m as Extract<FromWorker, { type: T }>);
      });
      worker.post(type === 'weights' ? { type: 'sync', id } : { type: 'checkpoint', id });
    });
  });
  return {
    done,
    stop: () => {
      void port.then((worker) => finished || worker.post({ type: 'stop' }));
      return done;
    },
    sync: async () => {
      if (finished) return;
      const m = await ask('weights');
      adopt(m);
    },
    checkpoint: async () => final ?? (await ask('checkpoint')).bytes,
  };
}
