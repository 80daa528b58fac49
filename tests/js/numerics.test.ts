// Numerics and determinism (issue #9): long sequences stay finite and near a float64 reference,
// huge inputs saturate the gates as the float64 equations do, every run gives the same bits,
// and the SIMD and baseline builds agree within 1e-6 (each in its own process: one init each).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import * as rnn from 'rnn-wasm';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, Tensor } from 'rnn-wasm';

import { flagsFor } from './support/relaxed-flags.js';
import { run } from './support/workload.mjs';

type Weights = Record<string, Tensor>;
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const ACTIVATION = { tanh: Math.tanh, relu: (v: number) => Math.max(v, 0) };

/** W[r] . x + b[r] for rows [row, row + n), in float64. */
function affine(W: Tensor, b: Tensor | undefined, x: ArrayLike<number>, row: number, n: number): Float64Array {
  const cols = W.shape[1];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b ? b.data[row + i] : 0;
    for (let k = 0; k < cols; k++) sum += W.data[(row + i) * cols + k] * x[k];
    out[i] = sum;
  }
  return out;
}

/** One time step of PyTorch's cells in float64 (the equations of the torch.nn docs): returns [h', c']. */
function step(kind: 'tanh' | 'relu' | 'gru' | 'lstm', w: Weights, suffix: string, x: ArrayLike<number>, h: Float64Array, c: Float64Array): [Float64Array, Float64Array] {
  const [Wi, Wh, bi, bh] = ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((n) => w[n + suffix]);
  const H = h.length;
  const gate = (k: number) => {
    const fromH = affine(Wh, bh, h, k * H, H);
    return affine(Wi, bi, x, k * H, H).map((v, j) => v + fromH[j]);
  };
  if (kind === 'tanh' || kind === 'relu') return [gate(0).map(ACTIVATION[kind]), c];
  if (kind === 'gru') {
    const r = gate(0).map(sigmoid);
    const z = gate(1).map(sigmoid);
    const hn = affine(Wh, bh, h, 2 * H, H);
    const n = affine(Wi, bi, x, 2 * H, H).map((v, j) => Math.tanh(v + r[j] * hn[j]));
    return [n.map((v, j) => (1 - z[j]) * v + z[j] * h[j]), c];
  }
  const [i, f, g, o] = [gate(0).map(sigmoid), gate(1).map(sigmoid), gate(2).map(Math.tanh), gate(3).map(sigmoid)];
  const c1 = c.map((v, j) => f[j] * v + i[j] * g[j]);
  return [c1.map((v, j) => o[j] * Math.tanh(v)), c1];
}

const rowsOf = (data: Float32Array, width: number) => Array.from({ length: data.length / width }, (_, r) => Float64Array.from(data.subarray(r * width, (r + 1) * width)));

function maxError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Number.isNaN(actual[i] - expected[i]) ? Infinity : Math.abs(actual[i] - expected[i]));
  return worst;
}

describe('a sequence of 10,000 steps', () => {
  const T = 10_000, B = 2, I = 4, H = 16;
  const x = new Tensor(Float32Array.from({ length: T * B * I }, (_, i) => Math.sin(0.05 * i) * Math.cos(0.0007 * i)), [T, B, I]);

  test.each([
    ['RNN tanh', 'tanh', () => new RNN({ inputSize: I, hiddenSize: H, seed: 21 }), 1],
    ['RNN relu, small weights', 'relu', () => new RNN({ inputSize: I, hiddenSize: H, nonlinearity: 'relu', seed: 22 }), 0.3],
    ['GRU', 'gru', () => new GRU({ inputSize: I, hiddenSize: H, seed: 23 }), 1],
    ['LSTM', 'lstm', () => new LSTM({ inputSize: I, hiddenSize: H, seed: 24 }), 1],
  ] as const)('%s stays finite and within 1e-5 of float64 all the way', (_name, kind, make, scale) => {
    const layer = make();
    try {
      const weights = Object.fromEntries(Object.entries(layer.stateDict()).map(([n, t]) => [n, new Tensor(t.data.map((v) => v * scale), t.shape)]));
      layer.loadStateDict(weights);
      const [output] = layer instanceof LSTM ? layer.forward(x) : layer.forward(x);
      expect(output.data.every(Number.isFinite)).toBe(true);
      if (kind !== 'relu') expect(output.data.every((v) => Math.abs(v) <= 1)).toBe(true);
      // The float64 reference for the second sequence of the batch (the first costs as much again).
      const [got, expected] = [new Float32Array(T * H), new Float64Array(T * H)];
      let [h, c]: Float64Array[] = [new Float64Array(H), new Float64Array(H)];
      for (let t = 0; t < T; t++) {
        [h, c] = step(kind, weights, '_l0', x.data.subarray((t * B + 1) * I, (t * B + 2) * I), h, c);
        expected.set(h, t * H);
        got.set(output.data.subarray((t * B + 1) * H, (t * B + 2) * H), t * H);
      }
      expect(maxError(got, expected)).toBeLessThan(1e-5); // measured: 2e-7
    } finally {
      layer.dispose();
    }
  });
});

describe('huge inputs saturate the gates as the float64 equations do', () => {
  // Rows of (batch, 3): moderate, ±1e4, ±1e30 and mixed; the state starts away from zero.
  const x = new Tensor([0.5, -0.25, 1, 1e4, -1e4, 1e4, -1e4, -1e4, -1e4, 1e30, -1e30, 1e30, -1e30, 2, 0.5, 1e30, 1e30, 1e30], [6, 3]);
  const h0 = new Tensor(Float32Array.from({ length: 6 * 4 }, (_, i) => 0.9 * Math.sin(i + 1)), [6, 4]);
  const c0 = new Tensor(Float32Array.from({ length: 6 * 4 }, (_, i) => 2 * Math.cos(i)), [6, 4]);
  const reference = (kind: 'tanh' | 'relu' | 'gru' | 'lstm', w: Weights) => {
    const hs = rowsOf(h0.data, 4), cs = rowsOf(c0.data, 4);
    const out = rowsOf(x.data, 3).map((row, b) => step(kind, w, '', row, hs[b], cs[b]));
    return [out.flatMap(([h]) => [...h]), out.flatMap(([, c]) => [...c])];
  };

  test('LSTMCell: h within [-1, 1], c within |c0| + 1, both within 1e-6 of float64', () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4, seed: 31 });
    try {
      const [h, c] = cell.forward(x, [h0, c0]);
      const [wantH, wantC] = reference('lstm', cell.stateDict());
      expect(h.data.every((v) => Math.abs(v) <= 1)).toBe(true);
      c.data.forEach((v, i) => expect(Math.abs(v)).toBeLessThanOrEqual(Math.abs(c0.data[i]) + 1));
      expect(maxError(h.data, wantH)).toBeLessThan(1e-6);
      expect(maxError(c.data, wantC)).toBeLessThan(1e-6);
    } finally {
      cell.dispose();
    }
  });

  test('GRUCell and RNNCell (tanh): within [-1, 1] and 1e-6 of float64', () => {
    const gru = new GRUCell({ inputSize: 3, hiddenSize: 4, seed: 32 });
    const rnnCell = new RNNCell({ inputSize: 3, hiddenSize: 4, seed: 33 });
    try {
      for (const [cell, kind] of [[gru, 'gru'], [rnnCell, 'tanh']] as const) {
        const h = cell.forward(x, h0);
        expect(h.data.every((v) => Math.abs(v) <= 1)).toBe(true);
        expect(maxError(h.data, reference(kind, cell.stateDict())[0])).toBeLessThan(1e-6);
      }
    } finally {
      gru.dispose();
      rnnCell.dispose();
    }
  });

  test('RNNCell (relu): 1e30 in gives about 1e30 out, within a relative 1e-5 of float64', () => {
    const cell = new RNNCell({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu', seed: 34 });
    try {
      const h = cell.forward(x, h0);
      const [want] = reference('relu', cell.stateDict());
      h.data.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(want[i])));
      expect(Math.max(...h.data)).toBeGreaterThan(1e28);
    } finally {
      cell.dispose();
    }
  });
});

describe('determinism', () => {
  test('the whole workload twice in one process: the same bits', () => {
    expect(run(rnn)).toEqual(run(rnn));
  });

  test("a sequence's numbers do not depend on the batch it is in, or on being unbatched", () => {
    const T = 9, B = 4, I = 5;
    const lstm = new LSTM({ inputSize: I, hiddenSize: 11, numLayers: 2, seed: 41 });
    try {
      const x = new Tensor(Float32Array.from({ length: T * B * I }, (_, i) => Math.sin(i)), [T, B, I]);
      const [batched] = lstm.forward(x);
      for (let b = 0; b < B; b++) {
        const xb = new Float32Array(T * I);
        for (let t = 0; t < T; t++) xb.set(x.data.subarray((t * B + b) * I, (t * B + b + 1) * I), t * I);
        const [alone] = lstm.forward(new Tensor(xb, [T, I]));
        for (let t = 0; t < T; t++) expect(alone.data.subarray(t * 11, (t + 1) * 11)).toEqual(batched.data.subarray((t * B + b) * 11, (t * B + b + 1) * 11));
      }
    } finally {
      lstm.dispose();
    }
  });
});

interface WorkloadRun {
  backend: string;
  results: Record<string, number[]>;
  live: number;
}

/** The workload in a fresh `node` with the given build (one init per process; Node 20 runs the relaxed one behind a flag: flagsFor). */
function runInChild(backend: 'relaxed' | 'simd' | 'baseline'): Promise<WorkloadRun> {
  const script = fileURLToPath(new URL('./support/workload.mjs', import.meta.url));
  const library = new URL('../../dist/index.js', import.meta.url).href;
  const flags = flagsFor(backend);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, script, library, backend], { env: { ...process.env, NODE_OPTIONS: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as WorkloadRun) : reject(new Error(`workload (${backend}) exited with ${code}: ${err}`))));
  });
}

/** The results of `a` that are more than 1e-6 from `b`'s (relative for values beyond 1). */
function apart(a: WorkloadRun, b: WorkloadRun): string[] {
  return Object.entries(a.results).flatMap(([name, values]) => {
    const other = b.results[name];
    // |a - b| <= 1e-6 * max(1, |b|): absolute for values in [-1, 1], relative for logits.
    const worst = other.length !== values.length ? Infinity : values.reduce((m, v, i) => Math.max(m, Math.abs(v - other[i]) / Math.max(1, Math.abs(other[i]))), 0);
    return worst <= 1e-6 ? [] : [`${name}: ${worst}`];
  });
}

test('the SIMD, relaxed-SIMD and baseline builds agree within 1e-6; this process gives the bits its build gives in another (a threaded build: its one-thread build\'s)', async () => {
  const [relaxed, simd, baseline] = await Promise.all([runInChild('relaxed'), runInChild('simd'), runInChild('baseline')]);
  expect([relaxed.backend, simd.backend, baseline.backend, relaxed.live, simd.live, baseline.live]).toEqual(['relaxed', 'simd', 'baseline', 0, 0, 0]);
  expect(Object.keys(simd.results).length).toBeGreaterThan(20);
  expect(Object.keys(baseline.results)).toEqual(Object.keys(simd.results));
  expect(Object.keys(relaxed.results)).toEqual(Object.keys(simd.results));
  expect(apart(simd, baseline)).toEqual([]);
  expect(apart(relaxed, simd)).toEqual([]);
  for (const name of ['lm.greedy', 'seq2seq.ids']) expect([simd.results[name], relaxed.results[name]]).toEqual([baseline.results[name], baseline.results[name]]);
  const here = { relaxed, simd, baseline }[rnn.backend().replace('-threads', '') as 'relaxed' | 'simd' | 'baseline'];
  expect(run(rnn)).toEqual(here.results);
});
