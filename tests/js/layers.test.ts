// RNN, GRU and LSTM layers against PyTorch (tests/golden/layers.safetensors), loaded through
// loadSafetensors with a prefix, as a user loads a state_dict.
import { readFileSync } from 'node:fs';

import { GRU, LSTM, RNN, Tensor, loadSafetensors } from 'rnn-wasm';

import { TOLERANCE, expectClose, expectRnnError } from './helpers.js';

interface LayerCase {
  mode: 'rnn_tanh' | 'rnn_relu' | 'gru' | 'lstm';
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  bias: boolean;
  projSize: number;
  lengths: number[] | null;
  state: 'given' | 'zeros';
  batched: boolean;
  inputSize: number;
  hiddenSize: number;
  steps: number;
}

const file = loadSafetensors(readFileSync(new URL('../golden/layers.safetensors', import.meta.url)));
const cases = JSON.parse(file.metadata.cases) as LayerCase[];
const golden = (t: Tensor) => ({ shape: [...t.shape], data: [...t.data] });

function makeLayer(c: LayerCase) {
  const options = { inputSize: c.inputSize, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bias: c.bias, batchFirst: c.batchFirst, bidirectional: c.bidirectional };
  if (c.mode === 'lstm') return new LSTM({ ...options, projSize: c.projSize });
  if (c.mode === 'gru') return new GRU(options);
  return new RNN({ ...options, nonlinearity: c.mode === 'rnn_tanh' ? 'tanh' : 'relu' });
}

function name(c: LayerCase, i: number): string {
  const parts = [`case${i} ${c.mode}`, `layers=${c.numLayers}`, c.bidirectional ? 'bidirectional' : 'forward', c.batchFirst ? 'batchFirst' : 'timeFirst',
    c.bias ? 'bias' : 'no-bias', `proj=${c.projSize}`, c.lengths ? `lengths=${c.lengths.join(',')}` : 'full', `state=${c.state}`, c.batched ? 'batched' : 'unbatched', `T=${c.steps}`];
  return parts.join(' ');
}

describe(`layers match PyTorch ${file.metadata.torch}`, () => {
  test('the fixture covers every option', () => {
    const all = cases.map(name).join('\n');
    for (const part of ['rnn_tanh', 'rnn_relu', 'gru', 'lstm', 'layers=1', 'layers=2', 'layers=3', 'bidirectional', 'forward', 'batchFirst', 'timeFirst',
      'no-bias', 'proj=2', 'lengths=3,5,1', 'full', 'state=given', 'state=zeros', 'unbatched', 'T=2000']) {
      expect(all).toContain(part);
    }
  });

  test.each(cases.map((c, i) => [name(c, i), c, i] as const))('%s', (_name, c, i) => {
    const { tensors } = loadSafetensors(readFileSync(new URL('../golden/layers.safetensors', import.meta.url)), { prefix: `case${i}.` });
    const { x, h0, c0, output, hN, cN, ...weights } = tensors;
    const layer = makeLayer(c);
    try {
      layer.loadStateDict(weights, { strict: true });
      const options = c.lengths ? { lengths: c.lengths } : undefined;
      if (layer instanceof LSTM) {
        const [out, [h, cell]] = layer.forward(x, h0 && c0 ? [h0, c0] : null, options);
        expectClose(out, golden(output), TOLERANCE);
        expectClose(h, golden(hN), TOLERANCE);
        expectClose(cell, golden(cN), TOLERANCE);
      } else {
        const [out, h] = layer.forward(x, h0 ?? null, options);
        expectClose(out, golden(output), TOLERANCE);
        expectClose(h, golden(hN), TOLERANCE);
      }
    } finally {
      layer.dispose();
    }
  });
});

describe('layer errors', () => {
  test("wrong input and state shapes: 'shape'", () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true });
    try {
      expect(() => lstm.forward(Tensor.zeros([2, 5, 4]))).toThrow('LSTM.forward: input has shape (2, 5, 4), expected (batch, seqLen, 3) or (seqLen, 3)');
      expect(() => lstm.forward(Tensor.zeros([2, 5, 3]), [Tensor.zeros([2, 2, 4]), Tensor.zeros([4, 2, 4])])).toThrow(
        'h0 has shape (2, 2, 4), expected (4, 2, 4) = (D*numLayers, batch, hiddenSize)');
    } finally {
      lstm.dispose();
    }
  });

  test("bad lengths and options: 'argument'", () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4 });
    try {
      const x = Tensor.zeros([5, 2, 3]);
      expect(() => gru.forward(x, null, { lengths: [5] })).toThrow('lengths has 1 entries, expected one per sequence: 2');
      expect(() => gru.forward(x, null, { lengths: [5, 0] })).toThrow('lengths[1] is 0, expected an integer in [1, 5] (seqLen)');
      expect(() => gru.forward(x, null, { lengths: [6, 1] })).toThrow('lengths[0] is 6');
    } finally {
      gru.dispose();
    }
    const errors: [() => unknown, string][] = [
      [() => new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 4 }), 'projSize must be smaller than hiddenSize'],
      [() => new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 0 }), 'GRU: numLayers must be a positive integer, got 0'],
      [() => new RNN({ inputSize: 3, hiddenSize: 4, dropout: 1.5 }), 'RNN: dropout must be in [0, 1], got 1.5'],
      [() => new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'gelu' as 'tanh' }), "RNN: nonlinearity must be 'tanh' or 'relu', got 'gelu'"],
    ];
    for (const [make, message] of errors) expectRnnError(make, 'argument', message);
  });

  test("a state dict for another layout: 'weights', naming the tensor and shapes", () => {
    const two = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    const projected = new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2 });
    try {
      const sd = two.stateDict();
      expect(Object.keys(sd).sort()).toEqual(['bias_hh_l0', 'bias_hh_l1', 'bias_ih_l0', 'bias_ih_l1', 'weight_hh_l0', 'weight_hh_l1', 'weight_ih_l0', 'weight_ih_l1']);
      expect(() => projected.loadStateDict(sd)).toThrow("LSTM.loadStateDict: 'weight_hh_l0' has shape (16, 4), expected (16, 2) = (4*hiddenSize, projSize)");
      const { weight_hr_l0, ...rest } = projected.stateDict();
      expect(weight_hr_l0.shape).toEqual([2, 4]);
      expect(() => projected.loadStateDict(rest)).toThrow("missing 'weight_hr_l0'");
    } finally {
      two.dispose();
      projected.dispose();
    }
  });

  test('dropout is accepted and changes nothing at inference', () => {
    const a = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, dropout: 0.5, seed: 9 });
    const b = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 9 });
    const x = new Tensor(Float32Array.from({ length: 15 }, (_, i) => Math.sin(i)), [5, 1, 3]);
    expect(a.forward(x)[0].data).toEqual(b.forward(x)[0].data);
    a.dispose();
    b.dispose();
  });
});

describe('edge cases: empty batches and sequences, NaN', () => {
  test('batch 0 and seqLen 0 give empty outputs and the initial state', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 1 });
    try {
      const [out0, [h0, c0]] = lstm.forward(Tensor.zeros([5, 0, 3]));
      expect(out0.shape).toEqual([5, 0, 4]);
      expect(h0.shape).toEqual([2, 0, 4]);
      expect(c0.shape).toEqual([2, 0, 4]);
      const start: [Tensor, Tensor] = [new Tensor(new Float32Array(16).fill(0.5), [2, 2, 4]), new Tensor(new Float32Array(16).fill(-0.5), [2, 2, 4])];
      const [outT, [hT, cT]] = lstm.forward(Tensor.zeros([0, 2, 3]), start);
      expect(outT.shape).toEqual([0, 2, 4]);
      expect(hT.data).toEqual(start[0].data);
      expect(cT.data).toEqual(start[1].data);
    } finally {
      lstm.dispose();
    }
  });

  test('NaN in the input propagates to that sequence only, as in PyTorch; the module goes on', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, seed: 2 });
    try {
      const x = new Tensor([0.1, 0.2, NaN, 0.4, 0.5, 0.6, 0.7, 0.8], [2, 2, 2]); // (T 2, B 2, I 2): NaN in sequence 1 at t 0
      const [output, hN] = gru.forward(x);
      const at = (t: number, b: number) => Array.from(output.data.slice((t * 2 + b) * 3, (t * 2 + b + 1) * 3));
      expect(at(0, 0).every(Number.isFinite)).toBe(true);
      expect(at(1, 0).every(Number.isFinite)).toBe(true);
      expect(at(0, 1).every(Number.isNaN)).toBe(true);
      expect(at(1, 1).every(Number.isNaN)).toBe(true);
      expect(Array.from(hN.data.slice(0, 3)).every(Number.isFinite)).toBe(true);
      const [again] = gru.forward(new Tensor([0.1, 0.2, 0.3, 0.4], [2, 1, 2]));
      expect(Array.from(again.data).every(Number.isFinite)).toBe(true);
    } finally {
      gru.dispose();
    }
  });
});
