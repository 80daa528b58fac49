// The messages between fit() and its worker, and tensors as plain data for them (a Tensor
// crosses postMessage as { data, shape }: structured cloning keeps no classes).
import type { Backend } from '../init.js';
import type { OptimizerStateDict } from '../optim.js';
import { Tensor } from '../tensor.js';
import type { FitProgress, FitResult } from './loop.js';

export interface PlainTensor {
  data: Float32Array;
  shape: number[];
}
export type PlainDict = Record<string, PlainTensor>;
export interface PlainOptimizerState {
  state: Record<number, Record<string, PlainTensor | number>>;
  param_groups: Record<string, unknown>[];
}

/** What the worker needs to build the optimizer: its kind, options and state. */
export interface OptimizerSpec {
  name: 'SGD' | 'Adam' | 'AdamW';
  options: Record<string, unknown>;
  state?: PlainOptimizerState;
}

/** The options the worker trains with (fit's options without the callbacks and signal). */
export interface RunSpec {
  epochs: number;
  batchSize: number;
  bptt: number;
  clipGradNorm?: number;
  shuffle: boolean;
  seed: number;
  data?: unknown;
  validation?: unknown;
  /** Batches come from the caller's async iterable, one 'batch' message each. */
  streamed: boolean;
}

export type ToWorker =
  | { type: 'start'; wasmBinary: Uint8Array; backend: Backend; kind: string; config: unknown; weights: PlainDict; frozen: string[]; optimizer: OptimizerSpec; run: RunSpec }
  | { type: 'stop' }
  | { type: 'sync'; id: number }
  | { type: 'checkpoint'; id: number }
  | { type: 'batch'; value?: unknown[]; done: boolean };

export type FromWorker =
  | { type: 'progress'; progress: FitProgress }
  | { type: 'weights'; id: number; weights: PlainDict }
  | { type: 'checkpoint'; id: number; bytes: Uint8Array }
  | { type: 'next-batch'; restart: boolean }
  | { type: 'done'; result: FitResult; weights: PlainDict; optimizer: PlainOptimizerState; checkpoint: Uint8Array }
  | { type: 'error'; code: string; message: string };

export function plainDict(dict: Record<string, Tensor>): PlainDict {
  return Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, { data: t.data, shape: [...t.shape] }]));
}

export function tensorDict(dict: PlainDict): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, new Tensor(t.data, t.shape)]));
}

export function plainOptimizerState(dict: OptimizerStateDict): PlainOptimizerState {
  const state = Object.fromEntries(Object.entries(dict.state).map(([i, entries]) => [i,
    Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, typeof v === 'number' ? v : { data: v.data, shape: [...v.shape] }]))]));
  return { state, param_groups: dict.param_groups };
}

export function optimizerState(plain: PlainOptimizerState): OptimizerStateDict {
  const state = Object.fromEntries(Object.entries(plain.state).map(([i, entries]) => [i,
    Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, typeof v === 'number' ? v : new Tensor(v.data, v.shape)]))]));
  return { state, param_groups: plain.param_groups };
}

/** The distinct buffers of a dict's tensors, to transfer rather than copy (each stateDict() tensor owns a fresh one). */
export function buffersOf(dict: PlainDict): ArrayBuffer[] {
  return [...new Set(Object.values(dict).map((t) => t.data.buffer as ArrayBuffer))];
}

/** A batch's Tensor arguments as plain data, and back. */
export function plainArgs(args: unknown[]): unknown[] {
  return args.map((a) => (a instanceof Tensor ? { tensor: { data: a.data, shape: [...a.shape] } } : a));
}

export function tensorArgs(args: unknown[]): unknown[] {
  return args.map((a) => (a !== null && typeof a === 'object' && 'tensor' in a ? new Tensor((a as { tensor: PlainTensor }).tensor.data, (a as { tensor: PlainTensor }).tensor.shape) : a));
}
