// Streaming: a layer stepped one time step at a time, with its state kept in wasm, gives the
// same numbers as forward over the whole sequence.
import { GRU, LSTM, RNN, Tensor } from 'rnn-wasm';

import { expectClose, expectRnnError } from './helpers.js';

const T = 7;
const B = 2;

function sequence(inputSize: number): Tensor {
  return new Tensor(Float32Array.from({ length: T * B * inputSize }, (_, i) => Math.sin(0.7 * i)), [T, B, inputSize]);
}

function stepOf(x: Tensor, t: number): Tensor {
  const width = x.shape[1] * x.shape[2];
  return new Tensor(x.data.slice(t * width, (t + 1) * width), [x.shape[1], x.shape[2]]);
}

const golden = (t: Tensor) => ({ shape: [...t.shape], data: [...t.data] });
const TIGHT = { atol: 1e-6, rtol: 1e-5 };

test.each([
  ['RNN relu, 3 layers', () => new RNN({ inputSize: 3, hiddenSize: 5, numLayers: 3, nonlinearity: 'relu', seed: 1 })],
  ['GRU, 2 layers', () => new GRU({ inputSize: 3, hiddenSize: 6, numLayers: 2, seed: 2 })],
  ['LSTM, 2 layers', () => new LSTM({ inputSize: 3, hiddenSize: 6, numLayers: 2, seed: 3 })],
  ['LSTM, 2 layers, projSize 4', () => new LSTM({ inputSize: 3, hiddenSize: 6, numLayers: 2, projSize: 4, seed: 4 })],
])('%s: step over a sequence equals forward', (_name, make) => {
  const layer = make();
  const x = sequence(3);
  const state = layer.state({ batch: B });
  try {
    const [output, final] = layer.forward(x);
    const width = output.shape[2];
    for (let t = 0; t < T; t++) {
      const y = layer.step(stepOf(x, t), state);
      expectClose(y, { shape: [B, width], data: [...output.data.slice(t * B * width, (t + 1) * B * width)] }, TIGHT);
    }
    const got = state.get();
    if (layer instanceof LSTM) {
      const [hN, cN] = final as [Tensor, Tensor];
      expectClose(got[0], golden(hN), TIGHT);
      expectClose(got[1], golden(cN), TIGHT);
    } else {
      expect(got).toHaveLength(1);
      expectClose(got[0], golden(final as Tensor), TIGHT);
    }
  } finally {
    state.dispose();
    layer.dispose();
  }
});

test('set, get, reset and clone: a cloned state goes on independently', () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 5 });
  const x = sequence(3);
  const a = lstm.state({ batch: B });
  try {
    lstm.step(stepOf(x, 0), a);
    const b = a.clone();
    const yA = lstm.step(stepOf(x, 1), a);
    const yB = lstm.step(stepOf(x, 1), b);
    expect(yB.data).toEqual(yA.data);
    lstm.step(stepOf(x, 2), a);
    expect(b.get()[0].data).not.toEqual(a.get()[0].data);
    b.set(a.get());
    expect(b.get()[1].data).toEqual(a.get()[1].data);
    b.dispose();

    // Starting from a given state equals forward from that initial state.
    const [h0, c0] = [new Tensor(new Float32Array(2 * B * 4).fill(0.3), [2, B, 4]), new Tensor(new Float32Array(2 * B * 4).fill(-0.2), [2, B, 4])];
    a.set([h0, c0]);
    const y = lstm.step(stepOf(x, 0), a);
    const [output] = lstm.forward(new Tensor(x.data.slice(0, B * 3), [1, B, 3]), [h0, c0]);
    expectClose(y, { shape: [B, 4], data: [...output.data] }, TIGHT);

    a.reset();
    expect(a.get().every((t) => t.data.every((v) => v === 0))).toBe(true);
  } finally {
    a.dispose();
    lstm.dispose();
  }
});

test('refusals: bidirectional layers, wrong shapes, foreign and disposed states', () => {
  const bi = new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true });
  const gru = new GRU({ inputSize: 3, hiddenSize: 4 });
  const other = new GRU({ inputSize: 3, hiddenSize: 4 });
  const state = gru.state({ batch: 2 });
  try {
    expectRnnError(() => bi.state(), 'argument', 'GRU.state: a bidirectional layer cannot run step by step');
    expectRnnError(() => gru.step(Tensor.zeros([1, 3]), state), 'shape', 'GRU.step: input has shape (1, 3), expected (2, 3) = (batch of the state, inputSize)');
    expectRnnError(() => other.step(Tensor.zeros([2, 3]), state), 'argument', "GRU.step: expected a state made by this layer's state()");
    expectRnnError(() => state.set([Tensor.zeros([1, 2, 5])]), 'shape', 'GRUState.set: h has shape (1, 2, 5), expected (1, 2, 4) = (numLayers, batch, hiddenSize)');
    expectRnnError(() => state.set([Tensor.zeros([1, 2, 4]), Tensor.zeros([1, 2, 4])]), 'argument', 'c is for LSTM states only');
    expectRnnError(() => gru.state({ batch: 0 }), 'argument', 'batch must be a positive integer');
    const gone = gru.state();
    gone.dispose();
    gone.dispose();
    expectRnnError(() => gru.step(Tensor.zeros([1, 3]), gone), 'disposed', 'GRUState.step: this GRUState was disposed');
    expectRnnError(() => gone.get(), 'disposed', 'GRUState.get');
  } finally {
    state.dispose();
    for (const m of [bi, gru, other]) m.dispose();
  }
});
