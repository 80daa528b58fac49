// Who owns wasm memory, and for how long.
import { availableParallelism } from 'node:os';

import { GRUCell, LSTMCell, Linear, Tensor, backend, heapBytes, liveObjectCount, relaxedSimdSupported, simdSupported } from 'rnn-wasm';

import { relaxedSimdNeedsFlag } from './support/relaxed-flags.js';

test('liveObjectCount follows creation and dispose', () => {
  const a = new GRUCell({ inputSize: 2, hiddenSize: 3 });
  const b = new Linear({ inFeatures: 2, outFeatures: 3 });
  expect(liveObjectCount()).toBe(2);
  a.dispose();
  expect(liveObjectCount()).toBe(1);
  b.dispose();
  b.dispose();
  expect(liveObjectCount()).toBe(0);
});

test('Symbol.dispose frees the object (the `using` declaration)', () => {
  const cell = new LSTMCell({ inputSize: 2, hiddenSize: 3 });
  // Jest's sandbox lacks Node's Symbol.dispose; TypeScript's `using` falls back to this same symbol.
  const dispose: typeof Symbol.dispose = Symbol.dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);
  cell[dispose]();
  expect(liveObjectCount()).toBe(0);
});

test('results are plain copies: they outlive their module and heap growth', () => {
  const cell = new GRUCell({ inputSize: 2, hiddenSize: 3, seed: 3 });
  const h = cell.forward(new Tensor([1, -1], [2]));
  const copy = Float32Array.from(h.data);
  const big = new Linear({ inFeatures: 2000, outFeatures: 2000 }); // 16 MB: the heap grows
  cell.dispose();
  big.dispose();
  expect(h.data).toEqual(copy);
  expect(h.data.buffer).not.toBe(new Float32Array(0).buffer);
});

test('the same seed gives the same initial weights; different modules differ by default', () => {
  const a = new LSTMCell({ inputSize: 2, hiddenSize: 3, seed: 7 });
  const b = new LSTMCell({ inputSize: 2, hiddenSize: 3, seed: 7 });
  const c = new LSTMCell({ inputSize: 2, hiddenSize: 3 });
  const d = new LSTMCell({ inputSize: 2, hiddenSize: 3 });
  expect(a.stateDict().weight_ih.data).toEqual(b.stateDict().weight_ih.data);
  expect(c.stateDict().weight_ih.data).not.toEqual(d.stateDict().weight_ih.data);
  // PyTorch's bound: uniform in ±1/sqrt(hiddenSize)
  expect(c.stateDict().weight_hh.data.every((v) => Math.abs(v) <= 1 / Math.sqrt(3))).toBe(true);
  for (const m of [a, b, c, d]) m.dispose();
});

test('100 create/forward/dispose cycles leave the heap where it was', () => {
  const cycle = () => {
    const cell = new LSTMCell({ inputSize: 64, hiddenSize: 64 });
    cell.forward(Tensor.zeros([8, 64]));
    cell.dispose();
  };
  cycle();
  const before = heapBytes();
  for (let i = 0; i < 100; i++) cycle();
  expect(heapBytes()).toBe(before);
});

test('backend() names the build that runs: the one asked for, else relaxed SIMD or SIMD where supported, with threads in Node', () => {
  expect(simdSupported()).toBe(true); // Node 18+
  // Node 20 validates relaxed SIMD only with --experimental-wasm-relaxed-simd (set for the relaxed
  // run); Node 22 and later by default.
  const flagged = /--experimental-wasm-relaxed-simd/.test(`${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`);
  const relaxed = flagged || !relaxedSimdNeedsFlag;
  expect(relaxedSimdSupported()).toBe(relaxed);
  // Without one asked for, Node runs threads where it has more than one core ('auto').
  const threaded = availableParallelism() > 1 ? '-threads' : '';
  expect(backend()).toBe(process.env.RNN_WASM_BACKEND ?? `${relaxed ? 'relaxed' : 'simd'}${threaded}`);
});
