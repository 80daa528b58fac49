// One test per error kind: the code, part of the message, and a module that still works after.
import { Embedding, GRUCell, LSTMCell, Linear, RNNCell, Tensor } from 'rnn-wasm';

import { expectRnnError } from './helpers.js';


/** A fresh cell still computes after an error: the wasm instance was not aborted. */
function expectModuleWorks(): void {
  const cell = new GRUCell({ inputSize: 3, hiddenSize: 2, seed: 5 });
  const h = cell.forward(new Tensor([1, 2, 3], [1, 3]));
  cell.dispose();
  expect(h.shape).toEqual([1, 2]);
  expect(h.data.every(Number.isFinite)).toBe(true);
}

/** Runs body with a fresh LSTMCell(4 -> 3), disposes it, then checks the module still works. */
function withCell(body: (cell: LSTMCell) => void): () => void {
  return () => {
    const cell = new LSTMCell({ inputSize: 4, hiddenSize: 3, seed: 1 });
    try {
      body(cell);
    } finally {
      cell.dispose();
    }
    expectModuleWorks();
  };
}

test("wrong input shape: 'shape', naming the shape expected", withCell((cell) => {
  expectRnnError(() => cell.forward(new Tensor(new Float32Array(14), [2, 7])), 'shape',
    'LSTMCell.forward: input has shape (2, 7), expected (batch, 4) or (4) since inputSize is 4');
  expectRnnError(() => cell.forward(new Tensor(new Float32Array(8), [2, 4]), [Tensor.zeros([3, 3]), Tensor.zeros([2, 3])]), 'shape',
    'h0 has shape (3, 3), expected (2, 3)');
}));

test("a Tensor whose data and shape disagree: 'shape'", withCell(() => {
  expectRnnError(() => new Tensor(new Float32Array(5), [2, 3]), 'shape', 'holds 6 elements, but data has 5');
}));

test("wrong weight shape: 'weights', naming the tensor, expected and found", withCell((cell) => {
  const sd = cell.stateDict();
  sd.weight_hh = Tensor.zeros([12, 4]);
  expectRnnError(() => cell.loadStateDict(sd), 'weights',
    "LSTMCell.loadStateDict: 'weight_hh' has shape (12, 4), expected (12, 3) = (4*hiddenSize, hiddenSize)");
}));

test("missing or unexpected weight with strict: 'weights'; without strict the rest loads", withCell((cell) => {
  const source = new LSTMCell({ inputSize: 4, hiddenSize: 3, seed: 2 });
  const sd = source.stateDict();
  source.dispose();
  const { bias_hh, ...missing } = sd;
  expectRnnError(() => cell.loadStateDict(missing, { strict: true }), 'weights', "missing 'bias_hh'");
  expectRnnError(() => cell.loadStateDict({ ...sd, 'extra.weight': bias_hh }), 'weights', "unexpected 'extra.weight'");
  cell.loadStateDict(new Map(Object.entries(missing)), { strict: false });
  expect(cell.stateDict().weight_ih.data).toEqual(sd.weight_ih.data);
  expectRnnError(() => cell.loadStateDict({ weight_ih: [1, 2] as unknown as Tensor }, { strict: false }), 'weights', "'weight_ih' must be a Tensor");
}));

test("use after dispose: 'disposed'; a second dispose does nothing", withCell(() => {
  const lin = new Linear({ inFeatures: 2, outFeatures: 2 });
  lin.dispose();
  lin.dispose();
  expectRnnError(() => lin.forward(Tensor.zeros([2])), 'disposed', 'Linear.forward: this Linear was disposed');
  expectRnnError(() => lin.stateDict(), 'disposed', 'Linear.stateDict');
}));

test("bad options and token ids: 'argument'", withCell((cell) => {
  expectRnnError(() => new RNNCell({ inputSize: 0, hiddenSize: 3 }), 'argument', 'RNNCell: inputSize must be a positive integer, got 0');
  expectRnnError(() => new GRUCell({ inputSize: 2.5, hiddenSize: 3 }), 'argument', 'inputSize must be a positive integer');
  expectRnnError(() => new RNNCell({ inputSize: 2, hiddenSize: 3, nonlinearity: 'gelu' as 'relu' }), 'argument', "nonlinearity must be 'tanh' or 'relu', got 'gelu'");
  expectRnnError(() => cell.forward([1, 2, 3, 4] as unknown as Tensor), 'argument', 'LSTMCell.forward: input must be a Tensor, got an array');
  const emb = new Embedding({ numEmbeddings: 10, embeddingDim: 2 });
  try {
    expectRnnError(() => emb.forward([3, 10]), 'argument', 'token id 10 at position 1 is not an integer in [0, 10)');
    expectRnnError(() => emb.forward([-1]), 'argument', 'token id -1');
    expectRnnError(() => emb.forward(new Tensor([0.5])), 'argument', 'token id 0.5');
  } finally {
    emb.dispose();
  }
}));

test("more weights than wasm memory holds: 'memory'", withCell(() => {
  expectRnnError(() => new Linear({ inFeatures: 100000, outFeatures: 100000 }), 'memory', 'Linear: weight needs outFeatures*inFeatures = 10000000000 floats');
  // Within the 32-bit count but past what the heap can grow to.
  expectRnnError(() => new Embedding({ numEmbeddings: 536000, embeddingDim: 1000 }), 'memory', 'out of memory');
}));
