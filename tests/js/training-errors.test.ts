// Training's bad input, limits and memory: every misuse is an RnnError with the right code and
// a message naming what was expected, the module keeps working, non-finite gradients change no
// weight, dropout is seeded and gone back through, and 10,000 training steps leak nothing.
import {
  Embedding, GRU, GRUCell, LSTM, LSTMCell, LanguageModel, Linear, RNN, ReLU, Sequential, Tensor, TextClassifier, clipGradNorm, crossEntropy,
  heapBytes, liveObjectCount, mseLoss, optim,
} from 'rnn-wasm';

import { expectRnnError } from './helpers.js';

const MLP = [{ type: 'linear' as const, inFeatures: 3, outFeatures: 4 }, { type: 'tanh' as const }, { type: 'linear' as const, inFeatures: 4, outFeatures: 2 }];

describe('backward needs a train-mode forward, once, with gradients of its output shape', () => {
  test.each([
    ['LSTM', () => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 }), () => Tensor.zeros([5, 2, 3]), [5, 2, 4]],
    ['GRU', () => new GRU({ inputSize: 3, hiddenSize: 4, bidirectional: true }), () => Tensor.zeros([5, 2, 3]), [5, 2, 8]],
    ['RNN', () => new RNN({ inputSize: 3, hiddenSize: 4 }), () => Tensor.zeros([5, 3]), [5, 4]],
    ['Linear', () => new Linear({ inFeatures: 3, outFeatures: 4 }), () => Tensor.zeros([2, 3]), [2, 4]],
    ['ReLU', () => new ReLU(), () => Tensor.zeros([2, 3]), [2, 3]],
    ['GRUCell', () => new GRUCell({ inputSize: 3, hiddenSize: 4 }), () => Tensor.zeros([2, 3]), [2, 4]],
    ['LSTMCell', () => new LSTMCell({ inputSize: 3, hiddenSize: 4 }), () => Tensor.zeros([3]), [4]],
  ] as const)('%s', (name, make, input, outShape) => {
    const module = make();
    type Backward = (g: Tensor) => unknown;
    const back = (g: Tensor) => (module as unknown as { backward: Backward }).backward(g);
    const forward = () => (module as unknown as { forward(x: Tensor): unknown }).forward(input());
    const grad = Tensor.zeros(outShape);
    try {
      expectRnnError(() => back(grad), 'argument', `${name}.backward: no training forward to go back through; call train()`);
      forward(); // eval mode keeps nothing
      expectRnnError(() => back(grad), 'argument', 'no training forward');
      module.train();
      expect(module.training).toBe(true);
      forward();
      expectRnnError(() => back(Tensor.zeros([...outShape, 1])), 'shape', `${name}.backward: grad`);
      back(grad); // the refused call kept the forward
      expectRnnError(() => back(grad), 'argument', 'no training forward'); // once per forward
      forward();
      module.eval(); // leaving train mode drops what the forward kept
      expectRnnError(() => back(grad), 'argument', 'no training forward');
    } finally {
      module.dispose();
    }
    expectRnnError(() => back(grad), 'disposed', `${name}.backward: this ${name} was disposed`);
  });

  test('Embedding: ids have no gradient; the padding row gets none', () => {
    const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 2, paddingIdx: 1 }).train();
    try {
      emb.forward([1, 3, 1]);
      expectRnnError(() => emb.backward(Tensor.zeros([2, 2])), 'shape', 'Embedding.backward: gradOutput has shape (2, 2), expected (3, 2)');
      expect(emb.backward(new Tensor(Float32Array.of(1, 1, 2, 2, 3, 3), [3, 2]))).toEqual({ input: null });
      expect(Array.from(emb.gradients().weight.data)).toEqual([0, 0, 0, 0, 0, 0, 2, 2, 0, 0]);
    } finally {
      emb.dispose();
    }
  });

  test('an LSTM gradState must be [gradH, gradC]; a cell grad [gradH, gradC] of the right shapes', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3 }).train();
    const cell = new LSTMCell({ inputSize: 2, hiddenSize: 3 }).train();
    try {
      lstm.forward(Tensor.zeros([4, 1, 2]));
      expectRnnError(() => lstm.backward(Tensor.zeros([4, 1, 3]), [Tensor.zeros([1, 1, 3])] as never), 'argument', 'gradState must be [gradH, gradC]');
      expectRnnError(() => lstm.backward(Tensor.zeros([4, 1, 3]), [null, Tensor.zeros([2, 1, 3])]), 'shape', 'gradState c has shape (2, 1, 3), expected (1, 1, 3)');
      cell.forward(Tensor.zeros([1, 2]));
      expectRnnError(() => cell.backward([Tensor.zeros([1, 3]), Tensor.zeros([3])]), 'shape', 'LSTMCell.backward: gradC has shape (3), expected (1, 3)');
      expect(cell.backward([Tensor.zeros([1, 3]), null]).state[1].shape).toEqual([1, 3]);
    } finally {
      lstm.dispose();
      cell.dispose();
    }
  });
});

describe('losses and model losses refuse targets that are not class ids', () => {
  test('crossEntropy and mseLoss', () => {
    const logits = Tensor.zeros([3, 4]);
    expectRnnError(() => crossEntropy(logits, [0, 4, 1]), 'argument', 'crossEntropy: target 4 at position 1 is not a class id in [0, 4) nor ignoreIndex (-100)');
    expectRnnError(() => crossEntropy(logits, [0, 1.5, 1]), 'argument', 'target 1.5 at position 1');
    expectRnnError(() => crossEntropy(logits, [0, -1, 1]), 'argument', 'target -1 at position 1');
    expect(crossEntropy(logits, [0, -1, 1], { ignoreIndex: -1 }).loss).toBeCloseTo(Math.log(4), 6);
    expectRnnError(() => crossEntropy(logits, [0, 1]), 'shape', '2 targets for 3 rows of logits');
    expectRnnError(() => crossEntropy(logits, ['a', 1, 2] as never), 'argument', "crossEntropy: targets: entry 0 is \"a\", not a number");
    expectRnnError(() => crossEntropy(logits, [0, 1, 2], { weight: Tensor.zeros([3]) }), 'shape', 'weight has shape (3), expected (4)');
    expectRnnError(() => crossEntropy(logits, [0, 1, 2], { labelSmoothing: 1.5 }), 'argument', 'labelSmoothing must be in [0, 1], got 1.5');
    expectRnnError(() => crossEntropy(logits, [0, 1, 2], { reduction: 'avg' as never }), 'argument', "reduction must be 'mean', 'sum' or 'none'");
    expect(Number.isNaN(crossEntropy(logits, [-100, -100, -100]).loss)).toBe(true); // every target ignored: 0/0, as PyTorch
    expectRnnError(() => mseLoss(logits, Tensor.zeros([4, 3])), 'shape', 'mseLoss: input has shape (3, 4) and target (4, 3)');
  });

  test('models name the bad label or target', () => {
    const clf = new TextClassifier({ vocabSize: 10, embeddingDim: 3, hiddenSize: 4, numClasses: 2 });
    const lm = new LanguageModel({ vocabSize: 10, embeddingDim: 3, hiddenSize: 4, numLayers: 1 });
    try {
      expectRnnError(() => clf.loss([[1, 2], [3]], [0, 2]), 'argument', 'TextClassifier.loss: label 2 of text 1 is not a class id in [0, 2)');
      expectRnnError(() => clf.loss([[1, 2], [3]], [0]), 'argument', 'TextClassifier.loss: 2 texts but [0] as labels');
      expectRnnError(() => lm.loss([[1, 2], [3]], [[2, 3], [10]]), 'argument', 'LanguageModel.loss: targets of sequence 1: token id 10 at position 0 is not an integer in [0, 10)');
      expectRnnError(() => lm.loss([[1, 2], [3]], [[2, 3], [4, 5]]), 'argument', 'sequence 1 has 1 tokens but 2 targets');
      expectRnnError(() => lm.loss([1, 2], [2, 3], { state: lm.trainState(2) }), 'argument', 'the state is for 2 sequences, the batch has 1');
      expect(clf.loss([[1, 2], [3]], [0, 1])).toBeGreaterThan(0); // the model still works
    } finally {
      clf.dispose();
      lm.dispose();
    }
  });
});

describe('freezing, optimizers, clipping', () => {
  test('freeze: names or prefixes of stateDict() keys; an unknown one changes nothing', () => {
    const mlp = new Sequential({ layers: MLP });
    const opt = new optim.SGD(mlp, { lr: 0.1 });
    try {
      expectRnnError(() => mlp.freeze(['0.', '3.weight']), 'argument', "Sequential.freeze: no parameter is named or starts with '3.weight'; the parameters are '0.weight', '0.bias', '2.weight', '2.bias'");
      expectRnnError(() => mlp.freeze(7 as never), 'argument', 'expected a parameter name or prefix');
      mlp.freeze('0.');
      mlp.train();
      const before = mlp.stateDict();
      opt.zeroGrad();
      mlp.loss(new Tensor(Float32Array.of(1, 2, 3), [1, 3]), [1]);
      expect(mlp.gradients()['0.weight'].data.every((v) => v === 0)).toBe(true); // frozen: no gradient
      expect(mlp.gradients()['2.weight'].data.some((v) => v !== 0)).toBe(true);
      opt.step();
      const after = mlp.stateDict();
      expect(after['0.weight']).toEqual(before['0.weight']); // and no update
      expect(after['2.weight']).not.toEqual(before['2.weight']);
      mlp.unfreeze(['0.weight']);
      const lin = new Linear({ inFeatures: 2, outFeatures: 2 });
      expectRnnError(() => lin.freeze('weights'), 'argument', "Linear.freeze: no parameter is named or starts with 'weights'");
      lin.dispose();
    } finally {
      opt.dispose();
      mlp.dispose();
    }
  });

  test("an optimizer or clipGradNorm over a disposed module: 'disposed'", () => {
    const mlp = new Sequential({ layers: MLP });
    const opt = new optim.Adam(mlp);
    mlp.dispose();
    expectRnnError(() => opt.step(), 'disposed', "Adam.step: the module holding '0.weight' was disposed");
    expectRnnError(() => opt.zeroGrad(), 'disposed', 'Adam.zeroGrad');
    expectRnnError(() => clipGradNorm(mlp, 1), 'disposed', 'Sequential.parameters: this Sequential was disposed');
    opt.dispose();
    expectRnnError(() => opt.step(), 'disposed', 'Adam.step: this Adam was disposed');
  });

  test('options are checked as PyTorch checks them', () => {
    const lin = new Linear({ inFeatures: 2, outFeatures: 2 });
    try {
      expectRnnError(() => new optim.SGD(lin, {} as never), 'argument', 'SGD: lr is required');
      expectRnnError(() => new optim.SGD(lin, { lr: -1 }), 'argument', 'SGD: lr must be >= 0, got -1');
      expectRnnError(() => new optim.SGD(lin, { lr: 0.1, nesterov: true }), 'argument', 'nesterov needs a momentum above 0 and zero dampening');
      expectRnnError(() => new optim.Adam(lin, { betas: [1, 0.9] }), 'argument', 'Adam: betas[0] must be in [0, 1), got 1');
      expectRnnError(() => new optim.AdamW(lin, { lr: 'fast' as never }), 'argument', 'AdamW: lr must be a number, got "fast"');
      expectRnnError(() => new optim.Adam({} as never), 'argument', 'Adam: expected a module or model to train');
      expect(liveObjectCount()).toBe(1); // no optimizer was left behind
    } finally {
      lin.dispose();
    }
  });

  test('a NaN loss is never silent: clipGradNorm returns it, step refuses it and changes no weight', () => {
    const mlp = new Sequential({ layers: MLP }).train();
    const opt = new optim.SGD(mlp, { lr: 0.1, momentum: 0.9 });
    try {
      const x = new Tensor(Float32Array.of(1, NaN, 3), [1, 3]);
      expect(Number.isNaN(mlp.loss(x, [0]))).toBe(true);
      expect(Number.isNaN(clipGradNorm(mlp, 1))).toBe(true);
      const before = mlp.stateDict();
      expectRnnError(() => opt.step(), 'argument', "SGD.step: the gradient of '0.weight' holds nan at element");
      expect(mlp.stateDict()).toEqual(before);
      expect(opt.stateDict().state).toEqual({}); // no momentum buffer was started either
      opt.zeroGrad();
      mlp.loss(new Tensor(Float32Array.of(1, 2, 3), [1, 3]), [0]);
      opt.step(); // and training goes on
      expect(mlp.stateDict()['0.weight']).not.toEqual(before['0.weight']);
    } finally {
      opt.dispose();
      mlp.dispose();
    }
  });

  test('loadStateDict refuses a state that does not fit, and changes nothing', () => {
    const mlp = new Sequential({ layers: MLP }).train();
    const opt = new optim.Adam(mlp, { lr: 0.01 });
    try {
      opt.zeroGrad();
      mlp.loss(new Tensor(Float32Array.of(1, 2, 3), [1, 3]), [0]);
      opt.step();
      const saved = opt.stateDict();
      expect(Object.keys(saved.state)).toEqual(['0', '1', '2', '3']);
      expect(saved.state[0].step).toBe(1);
      expect(saved.param_groups[0]).toMatchObject({ lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, params: [0, 1, 2, 3] });
      expectRnnError(() => opt.loadStateDict({ state: { 4: {} }, param_groups: [] }), 'weights', 'state for parameter "4", but there are 4');
      expectRnnError(() => opt.loadStateDict({ state: { 0: { momentum_buffer: saved.state[0].exp_avg } }, param_groups: [] }), 'weights',
        "parameter 0 has state 'momentum_buffer'; Adam keeps step, exp_avg, exp_avg_sq, max_exp_avg_sq");
      expectRnnError(() => opt.loadStateDict({ state: { 1: { exp_avg: saved.state[0].exp_avg } }, param_groups: [] }), 'weights',
        "parameter 1 ('0.bias') has 'exp_avg' of 12 values, expected 4");
      expectRnnError(() => opt.loadStateDict({ state: {}, param_groups: [{ ...saved.param_groups[0], betas: [0.8, 0.9] }] }), 'weights',
        'param_groups has betas [0.8,0.9], this optimizer [0.9,0.999]');
      expect(opt.stateDict()).toEqual(saved);
      opt.loadStateDict({ ...saved, param_groups: [{ ...saved.param_groups[0], lr: 0.5 }] });
      expect(opt.lr).toBe(0.5);
    } finally {
      opt.dispose();
      mlp.dispose();
    }
  });
});

describe('dropout between stacked layers', () => {
  test('seeded, in train mode only, and gone back through (finite differences with the same masks)', () => {
    const x = new Tensor(Float32Array.from({ length: 5 * 2 * 3 }, (_, i) => Math.sin(i)), [5, 2, 3]);
    const g = new Tensor(Float32Array.from({ length: 5 * 2 * 4 }, (_, i) => Math.cos(i)), [5, 2, 4]);
    // A fresh layer of the same seed draws the same masks on its first training forward.
    const fresh = (weights?: Record<string, Tensor>) => {
      const layer = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, dropout: 0.5, seed: 7 });
      if (weights) layer.loadStateDict(weights);
      return layer.train();
    };
    const lossOf = (weights: Record<string, Tensor>) => {
      const layer = fresh(weights);
      try {
        return layer.forward(x)[0].data.reduce((s, v, i) => s + v * g.data[i], 0);
      } finally {
        layer.dispose();
      }
    };
    const layer = fresh();
    try {
      const [out] = layer.forward(x);
      const [again] = layer.forward(x);
      expect(again).not.toEqual(out); // the next forward draws new masks
      layer.eval();
      const [evalOut] = layer.eval().forward(x);
      expect(evalOut).toEqual(layer.forward(x)[0]); // none in eval mode
      expect(evalOut).not.toEqual(out);
      const weights = layer.stateDict();
      const twin = fresh(weights);
      twin.forward(x);
      twin.backward(g);
      const grads = twin.gradients();
      twin.dispose();
      for (const name of ['weight_ih_l0', 'weight_hh_l1', 'bias_ih_l0']) {
        const w = weights[name];
        for (const i of [0, 5]) {
          const keep = w.data[i];
          w.data[i] = keep + 1e-2;
          const plus = lossOf(weights);
          w.data[i] = keep - 1e-2;
          const minus = lossOf(weights);
          w.data[i] = keep;
          expect(Math.abs(grads[name].data[i] - (plus - minus) / 2e-2)).toBeLessThan(2e-3);
        }
      }
    } finally {
      layer.dispose();
    }
  });
});

test('10,000 training steps leave the heap and the object count as they were', () => {
  const lm = new LanguageModel({ vocabSize: 20, embeddingDim: 6, hiddenSize: 8, numLayers: 2, cell: 'lstm' }).train();
  const clf = new TextClassifier({ vocabSize: 20, embeddingDim: 4, hiddenSize: 5, numClasses: 2, bidirectional: true, pooling: 'max' }).train();
  const optLm = new optim.Adam(lm, { lr: 1e-3 });
  const optClf = new optim.SGD(clf, { lr: 0.01, momentum: 0.9 });
  const state = lm.trainState(2);
  const step = (i: number) => {
    optLm.zeroGrad();
    lm.loss([[1, 2, 3, 4], [5, 6]], [[2, 3, 4, 5], [6, 7]], { state });
    clipGradNorm(lm, 1);
    optLm.step();
    optClf.zeroGrad();
    clf.loss([[1, 2, 3], [4, 5, 6, 7, i % 20]], [0, 1]);
    optClf.step();
  };
  try {
    for (let i = 0; i < 100; i++) step(i); // warm-up: first-call allocations, tapes, optimizer state
    const before = { heap: heapBytes(), live: liveObjectCount() };
    for (let i = 0; i < 10_000; i++) step(i);
    expect({ heap: heapBytes(), live: liveObjectCount() }).toEqual(before);
  } finally {
    for (const o of [optLm, optClf, lm, clf]) o.dispose();
  }
});
