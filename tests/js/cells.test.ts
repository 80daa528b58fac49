// Every cell, Linear, Embedding and activation against PyTorch's numbers (tests/golden).
import { Embedding, GRUCell, LSTMCell, Linear, RNNCell, relu, sigmoid, softmax, tanh } from 'rnn-wasm';

import { type GoldenTensor, TOLERANCE, expectClose, readGolden, stateDictOf, tensorOf } from './helpers.js';

interface CellCase {
  name: string;
  kind: 'rnn_tanh' | 'rnn_relu' | 'gru' | 'lstm';
  inputSize: number;
  hiddenSize: number;
  bias: boolean;
  stateDict: Record<string, GoldenTensor>;
  x: GoldenTensor;
  h0?: GoldenTensor;
  c0?: GoldenTensor;
  h1: GoldenTensor;
  c1?: GoldenTensor;
}

interface Golden {
  torch: string;
  cells: CellCase[];
  linear: { name: string; inFeatures: number; outFeatures: number; bias: boolean; stateDict: Record<string, GoldenTensor>; x: GoldenTensor; y: GoldenTensor }[];
  embedding: { name: string; numEmbeddings: number; embeddingDim: number; paddingIdx: number | null; stateDict: Record<string, GoldenTensor>; ids: GoldenTensor; y: GoldenTensor }[];
  activations: Record<'x' | 'sigmoid' | 'tanh' | 'relu' | 'softmax', GoldenTensor>;
}

const golden = readGolden<Golden>('cells.json');

describe(`cells match PyTorch ${golden.torch}`, () => {
  test('the fixture covers every kind, bias, batch layout and state', () => {
    const names = golden.cells.map((c) => c.name).join('\n');
    for (const kind of ['rnn_tanh', 'rnn_relu', 'gru', 'lstm']) {
      for (const part of ['bias=true', 'bias=false', 'batch=unbatched', 'batch=1', 'batch=3', 'state=zeros', 'state=given']) {
        expect(golden.cells.some((c) => c.kind === kind && c.name.includes(part))).toBe(true);
      }
    }
    expect(names).toContain('33x20');
  });

  test.each(golden.cells.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const options = { inputSize: c.inputSize, hiddenSize: c.hiddenSize, bias: c.bias };
    const x = tensorOf(c.x);
    if (c.kind === 'lstm') {
      const cell = new LSTMCell(options);
      try {
        cell.loadStateDict(stateDictOf(c.stateDict), { strict: true });
        const [h1, c1] = cell.forward(x, c.h0 && c.c0 ? [tensorOf(c.h0), tensorOf(c.c0)] : undefined);
        expectClose(h1, c.h1, TOLERANCE);
        expectClose(c1, c.c1!, TOLERANCE);
      } finally {
        cell.dispose();
      }
      return;
    }
    const cell =
      c.kind === 'gru' ? new GRUCell(options) : new RNNCell({ ...options, nonlinearity: c.kind === 'rnn_tanh' ? 'tanh' : 'relu' });
    try {
      cell.loadStateDict(stateDictOf(c.stateDict), { strict: true });
      expectClose(cell.forward(x, c.h0 ? tensorOf(c.h0) : undefined), c.h1, TOLERANCE);
    } finally {
      cell.dispose();
    }
  });
});

describe('Linear matches PyTorch', () => {
  test.each(golden.linear.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const lin = new Linear({ inFeatures: c.inFeatures, outFeatures: c.outFeatures, bias: c.bias });
    try {
      lin.loadStateDict(stateDictOf(c.stateDict));
      expectClose(lin.forward(tensorOf(c.x)), c.y, TOLERANCE);
    } finally {
      lin.dispose();
    }
  });
});

describe('Embedding matches PyTorch', () => {
  test.each(golden.embedding.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const emb = new Embedding({ numEmbeddings: c.numEmbeddings, embeddingDim: c.embeddingDim, paddingIdx: c.paddingIdx });
    try {
      emb.loadStateDict(stateDictOf(c.stateDict));
      expectClose(emb.forward(tensorOf(c.ids)), c.y, TOLERANCE);
      if (c.paddingIdx !== null) {
        // The padding row is zero in PyTorch's initial weights, and in ours.
        expect(emb.paddingIdx).toBe((c.paddingIdx + c.numEmbeddings) % c.numEmbeddings);
        const fresh = new Embedding({ numEmbeddings: c.numEmbeddings, embeddingDim: c.embeddingDim, paddingIdx: c.paddingIdx });
        const row = fresh.forward([emb.paddingIdx!]);
        fresh.dispose();
        expect([...row.data]).toEqual([0, 0, 0, 0]);
      }
    } finally {
      emb.dispose();
    }
  });

  test('ids as Int32Array, number[] and Tensor give the same rows', () => {
    const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 3, seed: 1 });
    const a = emb.forward(new Int32Array([4, 0]));
    const b = emb.forward([4, 0]);
    const c = emb.forward(tensorOf({ shape: [1, 2], data: [4, 0] }));
    emb.dispose();
    expect(a.data).toEqual(b.data);
    expect(c.data).toEqual(a.data);
    expect([...c.shape]).toEqual([1, 2, 3]);
  });
});

describe('activations match PyTorch', () => {
  const x = tensorOf(golden.activations.x);
  test('sigmoid', () => expectClose(sigmoid(x), golden.activations.sigmoid, { atol: 1e-6, rtol: 0 }));
  test('tanh', () => expectClose(tanh(x), golden.activations.tanh, { atol: 1e-6, rtol: 0 }));
  test('relu', () => expectClose(relu(x), golden.activations.relu, { atol: 0, rtol: 0 }));
  test('softmax', () => expectClose(softmax(x), golden.activations.softmax, { atol: 1e-6, rtol: 1e-5 }));
});
