// The training loop behind fit(), the same on the calling thread and in a worker: epochs of
// steps (zeroGrad, loss, clip, step), progress at most every 100 ms and at each epoch's end,
// a stop request honoured between steps, and the event loop let in so that messages, a page's
// input or an AbortSignal are seen while it runs.
import { RnnError } from '../errors.js';
import type { AnyModel } from '../models/model-file.js';
import { clipGradNorm, type Optimizer } from '../optim.js';
import type { Random } from '../random.js';
import { Tensor } from '../tensor.js';
import type { StepBatch, Task, Validation } from './tasks.js';

/** What fit reports while it trains. */
export interface FitProgress {
  /** The epoch under way (from 0), or just completed at an epoch's end. */
  epoch: number;
  /** Optimizer steps taken so far. */
  step: number;
  /** The mean training loss of the steps since the last report. */
  loss: number;
  /** The gradients' total 2-norm at the last step, before clipping. */
  gradNorm: number;
  learningRate: number;
  examplesPerSecond: number;
  tokensPerSecond: number;
  /** At an epoch's end, when `validation` was given. */
  validation?: Validation;
  /** True for the report at an epoch's end. */
  epochEnd: boolean;
}

/** How a fit ended. */
export interface FitResult {
  /** Epochs completed. */
  epochs: number;
  /** Optimizer steps taken. */
  steps: number;
  /** The mean training loss of the last epoch (or of the steps of the stopped one). */
  loss: number;
  /** The last validation figures, if `validation` was given. */
  validation?: Validation;
  /** True when stopped (stop(), the signal) before the last epoch's end. */
  stopped: boolean;
}

export interface LoopOptions {
  epochs: number;
  clipGradNorm?: number;
  /** Draws the shuffles; null: data in its order. */
  rng: Random | null;
  /** Batches from an async iterable instead of the task's epochs. */
  batches?: () => AsyncIterator<unknown>;
}

export interface LoopHooks {
  progress(p: FitProgress): void;
  /** True once a stop was asked for. */
  stopping(): boolean;
  /** After every step: steps taken, and the epoch under way. */
  stepped?(step: number, epoch: number): void;
}

const REPORT_MS = 100;
const YIELD_MS = 15;
const now = () => (typeof performance === 'object' ? performance.now() : Date.now());

// A macrotask without setTimeout's 4 ms clamp: setImmediate in Node, a MessageChannel in browsers.
let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];
function nextTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel!.port2.postMessage(0);
  });
}

/** A batch from an async iterable: the loss's arguments, as given. */
function userBatch(value: unknown): StepBatch {
  if (!Array.isArray(value) || value.length < 2) throw new RnnError('argument', 'fit: each batch of an async iterable must be an array of the arguments of the model\'s loss, e.g. [ids[], labels]');
  const first = value[0];
  const examples = first instanceof Tensor ? first.shape[0] : Array.isArray(first) && typeof first[0] === 'object' ? first.length : 1;
  const tokens = Array.isArray(first) && typeof first[0] === 'object' ? (first as ArrayLike<number>[]).reduce((n, s) => n + (s?.length ?? 0), 0) : examples;
  return { args: value, examples, tokens };
}

/** Trains until the epochs are done or a stop is asked for; returns how it ended. */
export async function trainLoop(model: AnyModel, optimizer: Optimizer, task: Task, o: LoopOptions, hooks: LoopHooks): Promise<FitResult> {
  let step = 0, lastYield = now();
  let since = { at: now(), loss: 0, steps: 0, examples: 0, tokens: 0 };
  let epochLoss = 0, epochSteps = 0, gradNorm = 0;
  let validation: Validation | undefined;
  const report = (epoch: number, epochEnd: boolean) => {
    const seconds = Math.max(now() - since.at, 1e-3) / 1000;
    hooks.progress({
      epoch, step, loss: since.steps ? since.loss / since.steps : epochLoss / Math.max(epochSteps, 1), gradNorm, learningRate: optimizer.lr,
      examplesPerSecond: since.examples / seconds, tokensPerSecond: since.tokens / seconds, ...(epochEnd && validation ? { validation } : {}), epochEnd,
    });
    since = { at: now(), loss: 0, steps: 0, examples: 0, tokens: 0 };
  };
  const train = async (batch: StepBatch, epoch: number) => {
    optimizer.zeroGrad();
    const loss = (model.loss as (...args: unknown[]) => number).call(model, ...batch.args);
    gradNorm = clipGradNorm(model, o.clipGradNorm ?? Infinity);
    optimizer.step();
    step++;
    hooks.stepped?.(step, epoch);
    epochLoss += loss;
    epochSteps++;
    since.loss += loss;
    since.steps++;
    since.examples += batch.examples;
    since.tokens += batch.tokens;
    if (now() - since.at >= REPORT_MS) report(epoch, false);
    if (now() - lastYield >= YIELD_MS) {
      await nextTask();
      lastYield = now();
    }
  };
  model.train();
  let epoch = 0;
  try {
    for (; epoch < o.epochs; epoch++) {
      epochLoss = 0;
      epochSteps = 0;
      if (o.batches) {
        const batches = o.batches();
        for (let next = await batches.next(); !next.done; next = await batches.next()) {
          if (hooks.stopping()) break;
          await train(userBatch(next.value), epoch);
        }
      } else {
        for (const batch of task.epoch(o.rng)) {
          if (hooks.stopping()) break;
          await train(batch, epoch);
        }
      }
      if (hooks.stopping()) break;
      model.eval();
      validation = task.validate();
      model.train();
      report(epoch, true);
    }
  } finally {
    model.eval();
  }
  const stopped = epoch < o.epochs;
  if (stopped && since.steps) report(epoch, false);
  return { epochs: epoch, steps: step, loss: epochLoss / Math.max(epochSteps, 1), ...(validation ? { validation } : {}), stopped };
}
