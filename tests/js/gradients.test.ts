// Backward passes against PyTorch autograd in float64 (tests/golden/gradients.safetensors, from
// tests/golden/make_golden_gradients.py): every layer option combination of the forward suite
// at 5 steps and a set at 64, the cells, Linear, Embedding, the activations and the losses.
// Each case's gradients are compared at atol 1e-5, rtol 1e-4; the worst error is printed.
import { readFileSync } from 'node:fs';

import {
  Embedding, GRU, GRUCell, LSTM, LSTMCell, Linear, RNN, RNNCell, ReLU, Sigmoid, Tanh, Tensor, crossEntropy, loadSafetensors, mseLoss,
} from 'rnn-wasm';

import { TOLERANCE, expectClose } from './helpers.js';

interface GradientCase {
  kind: 'layer' | 'cell' | 'linear' | 'embedding' | 'activation' | 'crossEntropy' | 'mse';
  [option: string]: unknown;
}

const bytes = readFileSync(new URL('../golden/gradients.safetensors', import.meta.url));
const file = loadSafetensors(bytes);
const cases = JSON.parse(file.metadata.cases) as GradientCase[];
const golden = (t: Tensor) => ({ shape: [...t.shape], data: [...t.data] });
let worst = 0;

function tensorsOf(i: number): Record<string, Tensor> {
  return loadSafetensors(bytes, { prefix: `case${i}.` }).tensors;
}

/** expectClose, and the largest |got - want| seen, for the report. */
function check(got: Tensor, want: Tensor): void {
  expectClose(got, golden(want), TOLERANCE);
  got.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want.data[i]))));
}

/** The case's weights (names without "grad." and without the inputs and given gradients). */
function weightsOf(t: Record<string, Tensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(t).filter(([name]) => !name.startsWith('grad.') && !['x', 'h0', 'c0', 'gOut', 'gH', 'gC'].includes(name)));
}

function checkParameters(module: { gradients(): Record<string, Tensor> }, t: Record<string, Tensor>): void {
  const grads = module.gradients();
  const expected = Object.keys(t).filter((n) => n.startsWith('grad.') && !['grad.x', 'grad.h0', 'grad.c0'].includes(n));
  expect(Object.keys(grads).sort()).toEqual(expected.map((n) => n.slice(5)).sort());
  for (const name of expected) check(grads[name.slice(5)], t[name]);
}

function layerName(c: GradientCase, i: number): string {
  return [`case${i} ${c.mode}`, `layers=${c.numLayers}`, c.bidirectional ? 'bidirectional' : 'forward', c.batchFirst ? 'batchFirst' : 'timeFirst',
    c.bias ? 'bias' : 'no-bias', `proj=${c.projSize}`, c.lengths ? `lengths=${(c.lengths as number[]).join(',')}` : 'full', `state=${c.state}`,
    c.batched ? 'batched' : 'unbatched', `T=${c.steps}`].join(' ');
}

const indexed = cases.map((c, i) => [c, i] as const);

describe(`backward matches PyTorch ${file.metadata.torch} autograd (float64)`, () => {
  afterAll(() => console.log(`gradients: worst |rnn-wasm - PyTorch float64| = ${worst.toExponential(2)} over ${cases.length} cases`));

  test('the fixture covers every layer option, 64 steps, every cell, loss option and reduction', () => {
    const all = indexed.filter(([c]) => c.kind === 'layer').map(([c, i]) => layerName(c, i)).join('\n');
    for (const part of ['rnn_tanh', 'rnn_relu', 'gru', 'lstm', 'layers=1', 'layers=2', 'layers=3', 'bidirectional', 'forward', 'batchFirst',
      'timeFirst', 'no-bias', 'proj=2', 'lengths=3,5,1', 'lengths=40,64,1', 'full', 'state=given', 'state=zeros', 'unbatched', 'T=64']) {
      expect(all).toContain(part);
    }
    const kinds = new Set(cases.map((c) => c.kind));
    for (const kind of ['cell', 'linear', 'embedding', 'activation', 'crossEntropy', 'mse']) expect(kinds).toContain(kind);
  });

  test.each(indexed.filter(([c]) => c.kind === 'layer').map(([c, i]) => [layerName(c, i), c, i] as const))('%s', (_name, c, i) => {
    const t = tensorsOf(i);
    const options = { inputSize: c.inputSize as number, hiddenSize: c.hiddenSize as number, numLayers: c.numLayers as number, bias: c.bias as boolean,
      batchFirst: c.batchFirst as boolean, bidirectional: c.bidirectional as boolean };
    const lengths = c.lengths ? { lengths: c.lengths as number[] } : undefined;
    const layer = c.mode === 'lstm' ? new LSTM({ ...options, projSize: c.projSize as number }) : c.mode === 'gru' ? new GRU(options)
      : new RNN({ ...options, nonlinearity: c.mode === 'rnn_tanh' ? 'tanh' : 'relu' });
    try {
      layer.loadStateDict(weightsOf(t));
      layer.train();
      if (layer instanceof LSTM) {
        layer.forward(t.x, t.h0 ? [t.h0, t.c0] : null, lengths);
        const { input, state: [h0, c0] } = layer.backward(t.gOut, [t.gH, t.gC]);
        check(input, t['grad.x']);
        if (t.h0) {
          check(h0, t['grad.h0']);
          check(c0, t['grad.c0']);
        }
      } else {
        layer.forward(t.x, t.h0 ?? null, lengths);
        const { input, state } = layer.backward(t.gOut, t.gH);
        check(input, t['grad.x']);
        if (t.h0) check(state, t['grad.h0']);
      }
      checkParameters(layer, t);
    } finally {
      layer.dispose();
    }
  });

  test.each(indexed.filter(([c]) => c.kind === 'cell').map(([c, i]) => [`case${i} ${c.mode} bias=${c.bias} batch=${c.batch ?? 'unbatched'} state=${c.state} ${c.inputSize}x${c.hiddenSize}`, c, i] as const))(
    '%s', (_name, c, i) => {
      const t = tensorsOf(i);
      const options = { inputSize: c.inputSize as number, hiddenSize: c.hiddenSize as number, bias: c.bias as boolean };
      const cell = c.mode === 'lstm' ? new LSTMCell(options) : c.mode === 'gru' ? new GRUCell(options)
        : new RNNCell({ ...options, nonlinearity: c.mode === 'rnn_tanh' ? 'tanh' : 'relu' });
      try {
        cell.loadStateDict(weightsOf(t));
        cell.train();
        if (cell instanceof LSTMCell) {
          cell.forward(t.x, t.h0 ? [t.h0, t.c0] : null);
          const { input, state: [h0, c0] } = cell.backward([t.gH, t.gC]);
          check(input, t['grad.x']);
          if (t.h0) {
            check(h0, t['grad.h0']);
            check(c0, t['grad.c0']);
          }
        } else {
          cell.forward(t.x, t.h0 ?? null);
          const { input, state } = cell.backward(t.gH);
          check(input, t['grad.x']);
          if (t.h0) check(state, t['grad.h0']);
        }
        checkParameters(cell, t);
      } finally {
        cell.dispose();
      }
    });

  test.each(indexed.filter(([c]) => c.kind === 'linear'))('Linear case%#', (c, i) => {
    const t = tensorsOf(i);
    const linear = new Linear({ inFeatures: c.inFeatures as number, outFeatures: c.outFeatures as number, bias: c.bias as boolean });
    try {
      linear.loadStateDict(weightsOf(t));
      linear.train();
      linear.forward(t.x);
      check(linear.backward(t.gOut).input, t['grad.x']);
      checkParameters(linear, t);
    } finally {
      linear.dispose();
    }
  });

  test.each(indexed.filter(([c]) => c.kind === 'embedding'))('Embedding paddingIdx %#', (c, i) => {
    const t = tensorsOf(i);
    const emb = new Embedding({ numEmbeddings: c.numEmbeddings as number, embeddingDim: c.embeddingDim as number, paddingIdx: c.paddingIdx as number | null });
    try {
      emb.loadStateDict({ weight: t.weight });
      emb.train();
      emb.forward(c.ids as number[]);
      expect(emb.backward(t.gOut)).toEqual({ input: null });
      check(emb.gradients().weight, t['grad.weight']);
    } finally {
      emb.dispose();
    }
  });

  test.each(indexed.filter(([c]) => c.kind === 'activation').map(([c, i]) => [c.activation as string, i] as const))('%s', (name, i) => {
    const t = tensorsOf(i);
    const act = name === 'relu' ? new ReLU() : name === 'tanh' ? new Tanh() : new Sigmoid();
    try {
      act.train();
      act.forward(t.x);
      check(act.backward(t.gOut).input, t['grad.x']);
    } finally {
      act.dispose();
    }
  });

  test.each(indexed.filter(([c]) => c.kind === 'crossEntropy').map(([c, i]) =>
    [`reduction=${c.reduction} ignoreIndex=${c.ignoreIndex} labelSmoothing=${c.labelSmoothing} weight=${c.weighted}`, c, i] as const))('crossEntropy %s', (_name, c, i) => {
    const t = tensorsOf(i);
    const options = { reduction: c.reduction as 'mean', labelSmoothing: c.labelSmoothing as number, weight: t.weight,
      ...(c.ignoreIndex === null ? {} : { ignoreIndex: c.ignoreIndex as number }) };
    const { loss, grad } = crossEntropy(t.logits, Array.from(t.targets.data), options) as { loss: number | Tensor; grad: Tensor };
    check(typeof loss === 'number' ? new Tensor(Float32Array.of(loss), [1]) : loss, t.loss);
    check(grad, t['grad.x']);
  });

  test.each(indexed.filter(([c]) => c.kind === 'mse').map(([c, i]) => [c.reduction as string, i] as const))('mseLoss %s', (reduction, i) => {
    const t = tensorsOf(i);
    const { loss, grad } = mseLoss(t.x, t.target, { reduction: reduction as 'mean' }) as { loss: number | Tensor; grad: Tensor };
    check(typeof loss === 'number' ? new Tensor(Float32Array.of(loss), [1]) : new Tensor(loss.data, [loss.size]), t.loss);
    check(grad, t['grad.x']);
  });
});
