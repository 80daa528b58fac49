// Bad input at the API (issue #9), beyond errors.test.ts, layers.test.ts and streaming.test.ts:
// each case has one documented outcome, an RnnError with its code or PyTorch's numbers, and the
// module keeps working after it.
import {
  Embedding, GRU, GRUCell, LSTM, LSTMCell, LanguageModel, Linear, RNN, RNNCell, Seq2Seq, Tensor, TextClassifier,
  heapBytes, loadModel, relu, sigmoid, softmax, tanh,
} from 'rnn-wasm';

import { expectRnnError, goldenModelFile } from './helpers.js';

const rows = (t: Tensor, width: number) => Array.from({ length: t.size / width }, (_, r) => Array.from(t.data.subarray(r * width, (r + 1) * width)));

/** A fresh cell computes the numbers a fresh cell of the same seed computed at load time. */
const CHECK_INPUT = new Tensor([0.5, -1, 2], [1, 3]);
let checkOutput: Float32Array;
function expectModuleWorks(): void {
  const cell = new GRUCell({ inputSize: 3, hiddenSize: 4, seed: 11 });
  try {
    expect(cell.forward(CHECK_INPUT).data).toEqual(checkOutput);
  } finally {
    cell.dispose();
  }
}
beforeAll(() => {
  const cell = new GRUCell({ inputSize: 3, hiddenSize: 4, seed: 11 });
  checkOutput = cell.forward(CHECK_INPUT).data;
  cell.dispose();
});
afterEach(expectModuleWorks);

/** Runs body with the objects made, then disposes them, whatever happens. */
function using<T extends { dispose(): void }[]>(make: () => [...T], body: (...objects: T) => void): void {
  const objects = make();
  try {
    body(...objects);
  } finally {
    for (const o of objects) o.dispose();
  }
}

describe('wrong ranks and sizes', () => {
  test("cells take (batch, inputSize) or (inputSize); anything else is 'shape'", () => using(() => [new LSTMCell({ inputSize: 3, hiddenSize: 2 }), new RNNCell({ inputSize: 3, hiddenSize: 2 })], (lstm, rnn) => {
    expectRnnError(() => lstm.forward(new Tensor([1], [])), 'shape', 'LSTMCell.forward: input has shape (), expected (batch, 3) or (3)');
    expectRnnError(() => rnn.forward(Tensor.zeros([1, 1, 3])), 'shape', 'RNNCell.forward: input has shape (1, 1, 3)');
    expectRnnError(() => lstm.forward(Tensor.zeros([3]), [Tensor.zeros([1, 2]), Tensor.zeros([2])]), 'shape', 'h0 has shape (1, 2), expected (2) = (hiddenSize) for input of shape (inputSize)');
    expectRnnError(() => lstm.forward(Tensor.zeros([2, 3]), [Tensor.zeros([2, 2]), Tensor.zeros([2, 5])]), 'shape', 'c0 has shape (2, 5), expected (2, 2)');
    expectRnnError(() => rnn.forward(Tensor.zeros([2, 3]), Tensor.zeros([3, 2])), 'shape', 'h0 has shape (3, 2), expected (2, 2) = (batch, hiddenSize)');
  }));

  test("layers take (seqLen, batch, inputSize) or (seqLen, inputSize); anything else is 'shape'", () => using(() => [new GRU({ inputSize: 2, hiddenSize: 3 })], (gru) => {
    for (const shape of [[], [2], [1, 3, 2, 2]]) expectRnnError(() => gru.forward(Tensor.zeros(shape)), 'shape', 'GRU.forward: input has shape');
    expectRnnError(() => gru.forward(Tensor.zeros([4, 2]), Tensor.zeros([1, 1, 3])), 'shape', 'h0 has shape (1, 1, 3), expected (1, 3) = (D*numLayers, hiddenSize)');
  }));

  test("Linear takes (*, inFeatures) of any rank but 0; softmax needs a dimension: else 'shape'", () => using(() => [new Linear({ inFeatures: 2, outFeatures: 3 })], (lin) => {
    expect(lin.forward(Tensor.zeros([2])).shape).toEqual([3]);
    expect(lin.forward(Tensor.zeros([2, 1, 2])).shape).toEqual([2, 1, 3]);
    expectRnnError(() => lin.forward(new Tensor([1], [])), 'shape', 'Linear.forward: input has shape (), expected (*, 2) since inFeatures is 2');
    expectRnnError(() => lin.forward(Tensor.zeros([2, 3])), 'shape', 'input has shape (2, 3)');
    expectRnnError(() => softmax(new Tensor([1], [])), 'shape', 'softmax: input has shape (), expected at least one dimension');
  }));

  test('a tensor of many dimensions crosses into wasm and back whole (the crossing first reads up to 8)', () => using(() => [new Linear({ inFeatures: 2, outFeatures: 3, seed: 1 })], (lin) => {
    const shape = [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3];
    const x = new Tensor(Float32Array.from({ length: 6 }, (_, i) => i - 2.5), shape);
    const y = relu(x);
    expect(y.shape).toEqual(shape);
    expect(Array.from(y.data)).toEqual([0, 0, 0, 0.5, 1.5, 2.5]);
    const z = lin.forward(new Tensor(x.data, [3, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
    expect(z.shape).toEqual([3, 1, 1, 1, 1, 1, 1, 1, 1, 3]);
    expect(z.data).toEqual(lin.forward(new Tensor(x.data, [3, 2])).data);
  }));

  test("not a Tensor: 'argument'; a dimension past 2^31 - 1 (beside a 0): 'shape'", () => using(() => [new LSTMCell({ inputSize: 2, hiddenSize: 2 }), new Embedding({ numEmbeddings: 4, embeddingDim: 2 })], (cell, emb) => {
    for (const x of [new Float32Array(2), [1, 2], undefined, null, { data: [1, 2], shape: [2] }]) {
      expectRnnError(() => cell.forward(x as unknown as Tensor), 'argument', 'LSTMCell.forward: input must be a Tensor');
    }
    const wide = new Tensor(new Float32Array(0), [0, 2 ** 40]);
    expectRnnError(() => relu(wide), 'shape', 'relu: input has shape [0, 1099511627776]; dimensions above 2147483647 are not supported');
    expectRnnError(() => emb.forward(wide), 'shape', 'Embedding.forward: ids has shape [0, 1099511627776]');
    expect(relu(new Tensor(new Float32Array(0), [0, 2 ** 31 - 1])).shape).toEqual([0, 2 ** 31 - 1]);
  }));

  test("a batch of 2^31 - 1 empty sequences: 'memory', before anything is allocated", () => using(() => [new GRU({ inputSize: 2, hiddenSize: 3 })], (gru) => {
    expectRnnError(() => gru.forward(new Tensor(new Float32Array(0), [0, 2 ** 31 - 1, 2])), 'memory',
      'GRU.forward: the state needs D*numLayers*batch*hiddenSize = 6442450941 floats, more than fit in wasm');
  }));
  test("a million layers: 'memory' at once, before wasm memory grows", () => {
    const before = heapBytes();
    expectRnnError(() => new LSTM({ inputSize: 2, hiddenSize: 8, numLayers: 1e6 }), 'memory', 'LSTM: the layers above the first need');
    expect(heapBytes()).toBe(before);
  });
});

describe('NaN and Inf: IEEE arithmetic as in PyTorch, never an error', () => {
  test('activations', () => {
    expect([...relu(new Tensor([NaN, -1, Infinity, -Infinity])).data]).toEqual([NaN, 0, Infinity, 0]);
    expect([...tanh(new Tensor([NaN, Infinity, -Infinity])).data]).toEqual([NaN, 1, -1]);
    const s = sigmoid(new Tensor([NaN, Infinity, -Infinity])).data;
    expect([s[0], s[1]]).toEqual([NaN, 1]);
    expect(s[2]).toBeGreaterThanOrEqual(0);
    expect(s[2]).toBeLessThan(1e-30);
    // softmax subtracts the row maximum: inf - inf is NaN, so a row holding +inf is all NaN; -inf gives 0.
    expect(rows(softmax(new Tensor([Infinity, 0, -Infinity, 0, NaN, 1], [3, 2])), 2)).toEqual([[NaN, NaN], [0, 1], [NaN, NaN]]);
  });

  test('NaN in an input or state row makes that row NaN, and only that row', () => using(() => [new GRUCell({ inputSize: 2, hiddenSize: 2, seed: 1 }), new Linear({ inFeatures: 2, outFeatures: 3, seed: 1 }), new LSTM({ inputSize: 2, hiddenSize: 3, seed: 1 })], (cell, lin, lstm) => {
    const h = rows(cell.forward(Tensor.zeros([2, 2]), new Tensor([NaN, 0, 0, 0], [2, 2])), 2);
    expect(h[0].every(Number.isNaN)).toBe(true);
    expect(h[1].every(Number.isFinite)).toBe(true);
    const y = rows(lin.forward(new Tensor([NaN, 1, 1, 1], [2, 2])), 3);
    expect(y[0].every(Number.isNaN) && y[1].every(Number.isFinite)).toBe(true);
    const state = lstm.state({ batch: 1 });
    try {
      expect([...lstm.step(new Tensor([NaN, 0], [1, 2]), state).data].every(Number.isNaN)).toBe(true);
      expect(state.get().every((t) => t.data.every(Number.isNaN))).toBe(true); // the state carries it on
      state.reset();
      expect([...lstm.step(new Tensor([0.5, 0], [1, 2]), state).data].every(Number.isFinite)).toBe(true);
    } finally {
      state.dispose();
    }
  }));

  test('an infinite input saturates the gates: LSTM and GRU outputs stay in [-1, 1]; Linear and relu give inf', () => using(() => [new LSTMCell({ inputSize: 2, hiddenSize: 3, seed: 2 }), new GRUCell({ inputSize: 2, hiddenSize: 3, seed: 2 }), new RNNCell({ inputSize: 2, hiddenSize: 3, seed: 2 }), new Linear({ inFeatures: 2, outFeatures: 2, seed: 2 })], (lstm, gru, rnn, lin) => {
    const x = new Tensor([Infinity, 0.5, -Infinity, 0.5], [2, 2]);
    const [h, c] = lstm.forward(x);
    for (const v of [...h.data, ...gru.forward(x).data, ...rnn.forward(x).data]) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    for (const v of c.data) expect(Math.abs(v)).toBeLessThanOrEqual(1); // one step: |c| <= |i * g| <= 1
    expect(lin.forward(new Tensor([Infinity, 0], [2])).data.every((v) => Math.abs(v) === Infinity)).toBe(true);
  }));
});

describe('token ids', () => {
  test("Embedding: negative, past the vocabulary, fractional, NaN, infinite, 2^32 + 1, or not numbers: 'argument'", () => using(() => [new Embedding({ numEmbeddings: 5, embeddingDim: 2, seed: 1 })], (emb) => {
    for (const id of [-1, 5, 1.5, NaN, Infinity, -Infinity, 2 ** 32 + 1, 1e-300]) {
      expectRnnError(() => emb.forward([0, id]), 'argument', 'at position 1 is not an integer in [0, 5) (numEmbeddings is 5)');
    }
    expectRnnError(() => emb.forward(new Int32Array([-3])), 'argument', 'token id -3');
    expectRnnError(() => emb.forward(new Tensor([0, NaN], [1, 2])), 'argument', 'token id nan at position 1');
    for (const id of ['1', 1n, null, Symbol('id')]) {
      expectRnnError(() => emb.forward([0, id] as unknown as number[]), 'argument', 'at position 1 is not a number');
    }
    expect(emb.forward([-0]).data).toEqual(emb.forward([0]).data); // -0 is the integer 0
    expectRnnError(() => emb.forward(new Float32Array([1]) as unknown as number[]), 'argument', 'ids must be an Int32Array, number[] or Tensor');
  }));

  test("models check every id before embedding it: 2 + 1e-9 is not rounded to 2 ('argument')", () => {
    const classifier = loadModel(goldenModelFile('classifier_lstm_last')) as TextClassifier;
    const lm = loadModel(goldenModelFile('lm_lstm_2layers')) as LanguageModel;
    const seq2seq = loadModel(goldenModelFile('seq2seq_gru')) as Seq2Seq;
    const session = lm.session();
    try {
      expectRnnError(() => classifier.predict([1, 2 + 1e-9]), 'argument', 'TextClassifier.predict: text 0: token id 2.000000001 at position 1 is not an integer in [0, 23)');
      expectRnnError(() => classifier.predict([[1], [3, NaN]]), 'argument', 'text 1: token id NaN at position 1');
      expectRnnError(() => classifier.predict([2 ** 24 + 1]), 'argument', 'token id 16777217');
      expectRnnError(() => classifier.trace([1, -1]), 'argument', 'TextClassifier.trace: token id -1');
      expectRnnError(() => lm.logits([1, 23]), 'argument', 'LanguageModel.logits: token id 23 at position 1 is not an integer in [0, 23)');
      expectRnnError(() => session.feed([4.5]), 'argument', 'LanguageModelSession.feed: token id 4.5');
      expectRnnError(() => lm.generate(['1'] as unknown as number[]), 'argument', 'token id "1" at position 0');
      expectRnnError(() => seq2seq.translate([3, 19], { bosId: 1, eosId: 2 }), 'argument', 'Seq2Seq.translate: token id 19 at position 1 is not an integer in [0, 19)');
      expect(session.length).toBe(0); // a refused feed changes nothing
    } finally {
      session.dispose();
      for (const m of [classifier, lm, seq2seq]) m.dispose();
    }
  });
});

describe('empty sequences, zero lengths, batch size 0', () => {
  test('batch 0 through cells, Linear and Embedding gives empty results of the right shape', () => using(() => [new LSTMCell({ inputSize: 3, hiddenSize: 2 }), new RNNCell({ inputSize: 3, hiddenSize: 2 }), new Linear({ inFeatures: 3, outFeatures: 4 }), new Embedding({ numEmbeddings: 3, embeddingDim: 4 })], (lstm, rnn, lin, emb) => {
    const [h, c] = lstm.forward(Tensor.zeros([0, 3]));
    expect([h.shape, c.shape, rnn.forward(Tensor.zeros([0, 3])).shape]).toEqual([[0, 2], [0, 2], [0, 2]]);
    expect(lin.forward(Tensor.zeros([0, 3])).shape).toEqual([0, 4]);
    expect(emb.forward([]).shape).toEqual([0, 4]);
    expect(emb.forward(Tensor.zeros([2, 0])).shape).toEqual([2, 0, 4]);
    expect(softmax(Tensor.zeros([2, 0])).shape).toEqual([2, 0]);
  }));

  test("lengths: a length 0, or lengths over an empty sequence, are 'argument' (PyTorch refuses empty sequences too)", () => using(() => [new RNN({ inputSize: 2, hiddenSize: 3 })], (rnn) => {
    expectRnnError(() => rnn.forward(Tensor.zeros([0, 2, 2]), null, { lengths: [0, 0] }), 'argument', 'RNN.forward: lengths[0] is 0');
    expectRnnError(() => rnn.forward(Tensor.zeros([3, 2, 2]), null, { lengths: [2.5, 1] }), 'argument', 'lengths[0] is 2.5');
    expectRnnError(() => rnn.forward(Tensor.zeros([3, 2, 2]), null, { lengths: 3 as unknown as number[] }), 'argument', 'lengths must be an array of integers, got 3');
    expectRnnError(() => rnn.forward(Tensor.zeros([3, 1, 2]), null, { lengths: [1n] as unknown as number[] }), 'argument', 'lengths must be an array of integers');
    expect(rnn.forward(Tensor.zeros([3, 0, 2]), null, { lengths: [] })[0].shape).toEqual([3, 0, 3]);
  }));

  test("empty token sequences: 'argument' from every model entry point", () => {
    const lm = loadModel(goldenModelFile('lm_gru_tied')) as LanguageModel;
    const classifier = loadModel(goldenModelFile('classifier_gru_bi_mean')) as TextClassifier;
    const session = lm.session();
    try {
      expectRnnError(() => lm.logits([]), 'argument', 'LanguageModel.logits: the sequence is empty');
      expectRnnError(() => session.feed([]), 'argument', 'LanguageModelSession.feed: the sequence is empty');
      expectRnnError(() => lm.generate([]), 'argument', 'the sequence is empty');
      expectRnnError(() => classifier.trace([]), 'argument', 'TextClassifier.trace: the sequence is empty');
      expectRnnError(() => classifier.predict([[]]), 'argument', 'TextClassifier.predict: text 0: the sequence is empty');
      expectRnnError(() => classifier.predict('abc' as unknown as number[]), 'argument', 'ids must be an array of token ids');
      expectRnnError(() => session.logits(), 'argument', 'feed() at least one token first');
    } finally {
      session.dispose();
      lm.dispose();
      classifier.dispose();
    }
  });
});

describe('mismatched states', () => {
  test("LSTM: h0 without c0 or three tensors are 'argument'; a wrong c0 is 'shape'", () => using(() => [new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2 }), new LSTMCell({ inputSize: 2, hiddenSize: 3 })], (lstm, cell) => {
    const x = Tensor.zeros([4, 1, 2]);
    const h0 = Tensor.zeros([2, 1, 3]);
    expectRnnError(() => lstm.forward(x, [h0, undefined as unknown as Tensor]), 'argument', 'LSTM.forward: give both h0 and c0, or neither');
    expectRnnError(() => lstm.forward(x, [h0, h0, h0] as unknown as [Tensor, Tensor]), 'argument', 'LSTM.forward: state must be [h0, c0]');
    expectRnnError(() => lstm.forward(x, [h0, Tensor.zeros([2, 1, 4])]), 'shape', 'c0 has shape (2, 1, 4), expected (2, 1, 3) = (D*numLayers, batch, hiddenSize)');
    expectRnnError(() => lstm.forward(Tensor.zeros([4, 2, 2]), [h0, h0]), 'shape', 'h0 has shape (2, 1, 3), expected (2, 2, 3)');
    expectRnnError(() => cell.forward(Tensor.zeros([1, 2]), [Tensor.zeros([1, 3])] as unknown as [Tensor, Tensor]), 'argument', 'LSTMCell.forward: state must be [h0, c0]');
    expectRnnError(() => cell.forward(Tensor.zeros([1, 2]), [null, null] as unknown as [Tensor, Tensor]), 'argument', 'LSTMCell.forward: h0 must be a Tensor, got null');
  }));

  test("state.set: [h] for an LSTM, a wrong c, or not an array: refused and the state unchanged", () => using(() => [new LSTM({ inputSize: 2, hiddenSize: 3 })], (lstm) => {
    const state = lstm.state({ batch: 2 });
    try {
      lstm.step(new Tensor([1, 2, 3, 4], [2, 2]), state);
      const before = state.get();
      expectRnnError(() => state.set([Tensor.zeros([1, 2, 3])]), 'argument', 'LSTMState.set: an LSTM state needs [h, c]');
      expectRnnError(() => state.set([Tensor.zeros([1, 2, 3]), Tensor.zeros([1, 1, 3])]), 'shape', 'LSTMState.set: c has shape (1, 1, 3), expected (1, 2, 3)');
      expectRnnError(() => state.set(Tensor.zeros([1, 2, 3]) as unknown as Tensor[]), 'argument', 'LSTMState.set: expected [h] or [h, c]');
      expectRnnError(() => state.set([]), 'argument', 'expected [h] or [h, c]');
      expect(state.get()).toEqual(before);
      expectRnnError(() => lstm.state({ batch: 1.5 }), 'argument', 'LSTM.state: batch must be a positive integer, got 1.5');
    } finally {
      state.dispose();
    }
  }));

  test("a state given to another layer, even of another kind, or to a bidirectional layer: 'argument'", () => using(() => [new LSTM({ inputSize: 2, hiddenSize: 3 }), new GRU({ inputSize: 2, hiddenSize: 3 }), new LSTM({ inputSize: 2, hiddenSize: 3, bidirectional: true })], (lstm, gru, bi) => {
    const state = lstm.state();
    try {
      const x = Tensor.zeros([1, 2]);
      expectRnnError(() => gru.step(x, state as never), 'argument', "GRU.step: expected a state made by this layer's state()");
      expectRnnError(() => bi.step(x, state), 'argument', "LSTM.step: expected a state made by this layer's state()");
      expectRnnError(() => bi.state(), 'argument', 'LSTM.state: a bidirectional layer cannot run step by step');
      expectRnnError(() => lstm.step(x, { layer: lstm } as never), 'argument', "expected a state made by this layer's state()");
      expect(lstm.step(x, state).shape).toEqual([1, 3]);
    } finally {
      state.dispose();
    }
  }));
});

describe('dispose', () => {
  test("a layer after dispose: every method 'disposed'; its states keep their numbers but cannot step", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, seed: 4 });
    const state = lstm.state();
    lstm.step(new Tensor([1, -1], [1, 2]), state);
    const numbers = state.get();
    lstm.dispose();
    lstm.dispose();
    try {
      const x = Tensor.zeros([1, 1, 2]);
      expectRnnError(() => lstm.forward(x), 'disposed', 'LSTM.forward: this LSTM was disposed');
      expectRnnError(() => lstm.step(Tensor.zeros([1, 2]), state), 'disposed', 'LSTM.step: this LSTM was disposed');
      expectRnnError(() => lstm.state(), 'disposed', 'LSTM.state: this LSTM was disposed');
      expectRnnError(() => lstm.loadStateDict({}), 'disposed', 'LSTM.loadStateDict');
      expectRnnError(() => state.set(numbers), 'disposed', 'LSTMState.set: its LSTM was disposed');
      expect(state.get()).toEqual(numbers);
      const copy = state.clone();
      expect(copy.get()).toEqual(numbers);
      copy.dispose();
      state.reset();
      expect(state.get().every((t) => t.data.every((v) => v === 0))).toBe(true);
    } finally {
      state.dispose();
    }
  });

  test("models and sessions: 'disposed' after dispose, a second dispose does nothing", () => {
    const lm = loadModel(goldenModelFile('lm_gru_tied')) as LanguageModel;
    const session = lm.session();
    session.feed([3]);
    lm.dispose();
    lm.dispose();
    expectRnnError(() => lm.logits([1]), 'disposed', 'LanguageModel.logits: this LanguageModel was disposed');
    expectRnnError(() => lm.session(), 'disposed', 'LanguageModel.session');
    expectRnnError(() => lm.generate([1]), 'disposed', 'LanguageModel.session');
    expectRnnError(() => session.feed([4]), 'disposed', 'Embedding.forward: this Embedding was disposed');
    expect(session.logits()).toHaveLength(23); // the logits already computed are plain data
    session.dispose();
    session.dispose();
    const seq2seq = loadModel(goldenModelFile('seq2seq_lstm')) as Seq2Seq;
    seq2seq.dispose();
    expectRnnError(() => seq2seq.translate([3], { bosId: 1, eosId: 2 }), 'disposed', 'Seq2Seq.translate: this Seq2Seq was disposed');
  });
});
