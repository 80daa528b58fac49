// int8 weights (module.quantize('int8'), loadModel(bytes, { weights: 'int8' })): every layer
// option and a model give what float32 gives with the dequantized weights W' = q * scale, within
// atol 1e-5 + rtol 1e-4 (the float32 path itself matches PyTorch: layers.test.ts); W' here is
// computed by this file from the scheme's formulas (docs/int8.md), and stateDict() of an int8
// module must be exactly it. Inference only: training is refused.
import { readFileSync } from 'node:fs';

import { GRU, LSTM, Linear, RNN, RnnError, Tensor, loadModel, loadSafetensors, optim, type TextClassifier } from 'rnn-wasm';

const roundHalfEven = (v: number) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));

/** The scheme of docs/int8.md in float32 arithmetic: W' for a weight matrix, anything else as is. */
function dequantized(name: string, t: Tensor): Tensor {
  if (!/^weight/.test(name.split('.').pop()!) || t.shape.length !== 2) return t;
  const [rows, cols] = t.shape;
  const out = new Float32Array(t.data.length);
  for (let i = 0; i < rows; i++) {
    let largest = 0;
    for (let j = 0; j < cols; j++) largest = Math.max(largest, Math.abs(t.data[i * cols + j]));
    const scale = largest > 0 ? Math.fround(largest / 127) : 1;
    for (let j = 0; j < cols; j++) {
      const q = Math.max(-127, Math.min(127, roundHalfEven(Math.fround(t.data[i * cols + j] / scale)))) || 0; // an integer: no -0
      out[i * cols + j] = Math.fround(q * scale);
    }
  }
  return new Tensor(out, t.shape);
}

/** The first index where a and b differ in bits, or -1 (toEqual on 100k floats takes seconds). */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

const dequantizedDict = (d: Record<string, Tensor>) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, dequantized(k, v)]));

function expectClose(got: Tensor, want: Tensor): void {
  expect(got.shape).toEqual(want.shape);
  let worst = 0;
  for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - want.data[i]) - 1e-4 * Math.abs(want.data[i]));
  expect(worst).toBeLessThanOrEqual(1e-5);
}

function input(shape: number[], seed: number): Tensor {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, next), shape);
}

type Layer = RNN | GRU | LSTM;
const layers: [string, () => Layer][] = [
  ['RNN tanh', () => new RNN({ inputSize: 12, hiddenSize: 40, seed: 1 })],
  ['RNN relu, no bias', () => new RNN({ inputSize: 12, hiddenSize: 24, nonlinearity: 'relu', bias: false, seed: 2 })],
  ['GRU, 2 layers, bidirectional', () => new GRU({ inputSize: 12, hiddenSize: 32, numLayers: 2, bidirectional: true, seed: 3 })],
  ['LSTM', () => new LSTM({ inputSize: 12, hiddenSize: 64, seed: 4 })],
  ['LSTM with a projection, batchFirst', () => new LSTM({ inputSize: 12, hiddenSize: 40, projSize: 16, batchFirst: true, seed: 5 })],
  ['LSTM 2 layers, hidden 200 (not a multiple of a panel)', () => new LSTM({ inputSize: 12, hiddenSize: 200, numLayers: 2, seed: 6 })],
];

describe.each(layers)('%s in int8', (_name, make) => {
  test.each([[1], [3]])("batch %p: the float32 layer's results on the dequantized weights; stateDict() is W'", (batch) => {
    const int8 = make(), reference = make();
    const weights = int8.stateDict();
    reference.loadStateDict(dequantizedDict(weights));
    expect(int8.quantize('int8')).toBe(int8);
    const stored = int8.stateDict();
    for (const [name, t] of Object.entries(dequantizedDict(weights))) expect([name, firstDifference(stored[name].data, t.data)]).toEqual([name, -1]);
    const first = int8.batchFirst;
    const x = input(first ? [batch, 9, 12] : [9, batch, 12], batch);
    const got = [int8.forward(x)].flat(2) as Tensor[], want = [reference.forward(x)].flat(2) as Tensor[];
    expect(got.length).toBe(want.length);
    got.forEach((t, i) => expectClose(t, want[i]));
    int8.dispose();
    reference.dispose();
  });
});

// PyTorch's side (tests/golden/make_golden_int8.py, python/rnn_wasm/int8.py): its q and scales
// are ours, and its layers run on W' give our int8 layers' results.
const golden = readFileSync(new URL('../golden/int8.safetensors', import.meta.url));
const goldenCases = JSON.parse(loadSafetensors(golden).metadata.cases) as { mode: string; hidden: number; layers: number; bidirectional: boolean; bias: boolean; proj: number; batch: number }[];

test.each(goldenCases.map((c, i) => [i, c] as const))("PyTorch on W' (case %p): the same q and scales, and our int8 layer's results", (i, c) => {
  const t = loadSafetensors(golden, { prefix: `case${i}.` }).tensors;
  const options = { inputSize: 12, hiddenSize: c.hidden, numLayers: c.layers, bidirectional: c.bidirectional, bias: c.bias };
  const layer = c.mode === 'lstm' ? new LSTM({ ...options, projSize: c.proj }) : c.mode === 'gru' ? new GRU(options) : new RNN({ ...options, nonlinearity: c.mode.slice(4) as 'tanh' | 'relu' });
  const weights = Object.fromEntries(Object.entries(t).filter(([k]) => /^(weight|bias)/.test(k)));
  layer.loadStateDict(weights);
  layer.quantize('int8');
  const stored = layer.stateDict();
  for (const name of Object.keys(weights).filter((k) => k.startsWith('weight'))) {
    const q = t[`q.${name}`], scale = t[`scale.${name}`], cols = q.shape[1];
    const fromTorch = new Float32Array(q.data.length).map((_, j) => Math.fround(q.data[j] * scale.data[Math.floor(j / cols)]));
    expect([name, firstDifference(stored[name].data, fromTorch)]).toEqual([name, -1]);
  }
  const [output, state] = layer.forward(t.x);
  expectClose(output, t.output);
  const [hN, cN] = Array.isArray(state) ? state : [state];
  expectClose(hN, t.hN);
  if (cN) expectClose(cN, t.cN);
  layer.dispose();
});

test("an int8 model file (export(..., dtype='int8')) loads as int8 and gives PyTorch's probabilities on W'", () => {
  const texts = JSON.parse(loadSafetensors(golden).metadata.texts) as number[][];
  const t = loadSafetensors(golden, { prefix: 'classifier.' }).tensors;
  const model = loadModel(readFileSync(new URL('../golden/models/classifier_int8.safetensors', import.meta.url))) as TextClassifier;
  texts.forEach((text, i) => {
    const got = model.predict(text), want = t[`probs${i}`].data;
    got.forEach((p, j) => expect(Math.abs(p - want[j])).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(want[j])));
  });
  expect(() => model.train()).toThrow(/int8, for inference only/);
  model.dispose();
});

test('a streaming step of an int8 LSTM, and Linear, give the float32 results on the dequantized weights', () => {
  const lstm = new LSTM({ inputSize: 8, hiddenSize: 48, seed: 7 }), reference = new LSTM({ inputSize: 8, hiddenSize: 48, seed: 7 });
  reference.loadStateDict(dequantizedDict(lstm.stateDict()));
  lstm.quantize('int8');
  const state = lstm.state(), wantState = reference.state();
  for (let t = 0; t < 4; t++) {
    const x = input([1, 8], 10 + t);
    expectClose(lstm.step(x, state), reference.step(x, wantState));
  }
  state.dispose();
  wantState.dispose();
  const linear = new Linear({ inFeatures: 30, outFeatures: 17, seed: 8 }), linearReference = new Linear({ inFeatures: 30, outFeatures: 17, seed: 8 });
  linearReference.loadStateDict(dequantizedDict(linear.stateDict()));
  linear.quantize('int8');
  for (const rows of [1, 5]) expectClose(linear.forward(input([rows, 30], rows)), linearReference.forward(input([rows, 30], rows)));
  for (const m of [lstm, reference, linear, linearReference]) m.dispose();
});

test('loadStateDict into an int8 module quantizes what it loads', () => {
  const int8 = new GRU({ inputSize: 6, hiddenSize: 16, seed: 9 }).quantize('int8');
  const source = new GRU({ inputSize: 6, hiddenSize: 16, seed: 10 });
  const weights = source.stateDict();
  int8.loadStateDict(weights);
  const got = int8.stateDict();
  for (const [name, t] of Object.entries(dequantizedDict(weights))) expect([name, firstDifference(got[name].data, t.data)]).toEqual([name, -1]);
  int8.dispose();
  source.dispose();
});

test("loadModel's weights: 'int8' quantizes a float file at load as PyTorch does; 'float32' turns an int8 file into W', which trains", () => {
  const floatFile = readFileSync(new URL('../golden/models/classifier_lstm_bi_2layers_last.safetensors', import.meta.url));
  const int8File = readFileSync(new URL('../golden/models/classifier_lstm_bi_2layers_last_int8.safetensors', import.meta.url));
  const quantizedAtLoad = loadModel(floatFile, { weights: 'int8' }) as TextClassifier;
  const int8 = loadModel(int8File) as TextClassifier;
  const dequantized = loadModel(int8File, { weights: 'float32' }) as TextClassifier;
  const want = int8.stateDict();
  for (const model of [quantizedAtLoad, dequantized]) {
    const got = model.stateDict();
    for (const [name, t] of Object.entries(want)) expect([name, firstDifference(got[name].data, t.data)]).toEqual([name, -1]);
  }
  // The float32 model on W' gives the int8 model's probabilities, within float32's error.
  for (const text of [[12, 7, 3], [5, 9, 10, 20, 14], [7]]) {
    const want = dequantized.predict(text);
    expectClose(new Tensor(int8.predict(text), [want.length]), new Tensor(want, [want.length]));
  }
  expect(() => int8.train()).toThrow(/int8, for inference only/);
  const optimizer = new optim.SGD(dequantized.train(), { lr: 0.1 });
  optimizer.zeroGrad();
  dequantized.loss([[12, 7, 3]], [1]);
  optimizer.step();
  expect(firstDifference(dequantized.stateDict()['head.0.bias'].data, want['head.0.bias'].data)).not.toBe(-1);
  optimizer.dispose();
  for (const m of [quantizedAtLoad, int8, dequantized]) m.dispose();
});

test('int8 is for inference: train(), optimizers and quantize in train mode are refused; other dtypes too', () => {
  const lstm = new LSTM({ inputSize: 4, hiddenSize: 8, seed: 11 });
  lstm.train();
  expect(() => lstm.quantize('int8')).toThrow(/LSTM.quantize: call it in eval mode/);
  lstm.eval().quantize('int8');
  expect(() => lstm.train()).toThrow(RnnError);
  expect(() => lstm.train()).toThrow(/its weights are int8, for inference only/);
  expect(() => new optim.SGD(lstm, { lr: 0.1 })).toThrow(/an optimizer needs float32 weights/);
  expect(() => lstm.quantize('int4' as 'int8')).toThrow(/dtype must be 'int8', got "int4"/);
  const bytes = readFileSync(new URL('../golden/models/classifier_lstm_last.safetensors', import.meta.url));
  expect(() => loadModel(bytes, { weights: 'float16' as 'int8' })).toThrow(/loadModel: weights must be 'float32' or 'int8'/);
  // The module keeps working after each refusal.
  expect(lstm.forward(input([3, 1, 4], 1))[0].shape).toEqual([3, 1, 8]);
  lstm.dispose();
});
