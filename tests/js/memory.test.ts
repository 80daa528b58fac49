// Memory (issue #9): long runs leak nothing, and growth of wasm memory leaves no stale view.
//
// heapBytes() is the size of wasm memory, which only grows; Emscripten grows it by 20% at least.
// To make a leak visible the leak test fills the heap: one block of 1.25 times the heap must grow
// it by more than 20%, so by just that block, leaving a few tens of KiB free; a loop that leaks
// more than that grows memory again. The growth tests fill it more cheaply, with blocks of zeros
// until it grew once (so at most 20% is free), then ask for more than that.
import { Embedding, GRU, GRUCell, LSTM, Linear, Tensor, TextClassifier, heapBytes, liveObjectCount, loadModel, loadSafetensors } from 'rnn-wasm';

import { goldenModelFile } from './helpers.js';


/** Runs body with the heap nearly full (see above): one Embedding of 1.25 times the heap. */
function withHeapNearlyFull<T>(body: () => T): T {
  const ballast = new Embedding({ numEmbeddings: Math.ceil((1.25 * heapBytes()) / 4096), embeddingDim: 1024, seed: 0 });
  try {
    return body();
  } finally {
    ballast.dispose();
  }
}

/**
 * Runs body(room) with blocks of zeros (GRU states, quick to make) filling the heap until it grew
 * once: then an allocation of `room` bytes (a quarter of the heap) grows it again.
 */
function withHeapFilled<T>(body: (room: number) => T): T {
  const gru = new GRU({ inputSize: 1, hiddenSize: 1024 });
  const blocks = [];
  try {
    const start = heapBytes();
    while (heapBytes() === start) blocks.push(gru.state({ batch: 128 })); // 512 KiB of zeros each
    return body(Math.ceil(heapBytes() / 4));
  } finally {
    for (const b of blocks) b.dispose();
    gru.dispose();
  }
}

test('long runs leave the heap and the object count as they were: 100,000 LSTM steps, 100,000 cell forwards, 1,000 model loads', () => {
  const x = new Tensor([0.1, -0.2, 0.3, 0.4], [1, 4]);
  const lstm = new LSTM({ inputSize: 4, hiddenSize: 8, numLayers: 2, seed: 1 });
  const state = lstm.state({ batch: 1 });
  const cell = new GRUCell({ inputSize: 4, hiddenSize: 8, seed: 2 });
  const bytes = goldenModelFile('classifier_lstm_last');
  const predict = () => {
    const model = loadModel(bytes) as TextClassifier;
    try {
      return model.predict([3, 7, 1]);
    } finally {
      model.dispose();
    }
  };
  try {
    let y = x;
    let h = Tensor.zeros([1, 8]);
    const probabilities = predict();
    const loops: [string, number, () => void][] = [
      ['LSTM.step (a state in wasm)', 100_000, () => (y = lstm.step(x, state))],
      ['GRUCell.forward', 100_000, () => (h = cell.forward(x, h))],
      ['loadModel, predict, dispose', 1_000, () => expect(predict()).toEqual(probabilities)],
    ];
    for (const [, n, call] of loops) for (let i = 0; i < n / 100; i++) call(); // warm-up: first-call allocations
    withHeapNearlyFull(() => {
      for (const [name, n, call] of loops) {
        const before = { loop: name, heap: heapBytes(), live: liveObjectCount() };
        for (let i = 0; i < n; i++) call();
        expect({ loop: name, heap: heapBytes(), live: liveObjectCount() }).toEqual(before);
      }
    });
    expect([...y.data, ...h.data].every(Number.isFinite)).toBe(true);
  } finally {
    for (const o of [state, lstm, cell]) o.dispose();
  }
});

/** Makes wasm memory grow. */
function growHeap(): void {
  withHeapFilled((room) => {
    const before = heapBytes();
    new Linear({ inFeatures: 1024, outFeatures: Math.ceil(room / 4096), bias: false }).dispose();
    expect(heapBytes()).toBeGreaterThan(before);
  });
}

test('growth between calls: objects made before it, their states and earlier results stay right', () => {
  const T = 12;
  const xs = new Tensor(Float32Array.from({ length: T * 4 }, (_, i) => Math.sin(i)), [T, 1, 4]);
  const stepInput = (t: number) => new Tensor(xs.data.slice(4 * t, 4 * t + 4), [1, 4]);
  const lstm = new LSTM({ inputSize: 4, hiddenSize: 5, numLayers: 2, seed: 4 });
  const linear = new Linear({ inFeatures: 5, outFeatures: 3, seed: 5 });
  const reference = lstm.state();
  const state = lstm.state();
  try {
    // Before growth: the whole run stepped with one state, a forward, a state dict, a file.
    const expected = Array.from({ length: T }, (_, t) => linear.forward(lstm.step(stepInput(t), reference)));
    const [output, [hN, cN]] = lstm.forward(xs);
    const copies = [output, hN, cN].map((t) => Float32Array.from(t.data));
    const weights = lstm.stateDict();
    const file = loadSafetensors(goldenModelFile('lm_gru_tied'));
    const fileCopy = Object.values(file.tensors).map((t) => Float32Array.from(t.data));

    // Half the steps, growth, the other half.
    const got: Tensor[] = [];
    for (let t = 0; t < T / 2; t++) got.push(linear.forward(lstm.step(stepInput(t), state)));
    const midState = state.get();
    growHeap();
    expect(state.get()).toEqual(midState);
    for (let t = T / 2; t < T; t++) got.push(linear.forward(lstm.step(stepInput(t), state)));
    expect(got).toEqual(expected);
    expect(state.get()).toEqual(reference.get());

    // Results from before the growth are plain copies: unchanged, and recomputed the same.
    [output, hN, cN].forEach((t, i) => expect(t.data).toEqual(copies[i]));
    const [again, [hAgain, cAgain]] = lstm.forward(xs);
    expect([again.data, hAgain.data, cAgain.data]).toEqual(copies);
    expect(lstm.stateDict()).toEqual(weights);
    expect(Object.values(file.tensors).map((t) => t.data)).toEqual(fileCopy);
    lstm.loadStateDict(weights);
    expect(lstm.forward(xs)[0].data).toEqual(copies[0]);
  } finally {
    for (const o of [reference, state, lstm, linear]) o.dispose();
  }
});

test('growth inside a call: an output or an input larger than the free heap gives the numbers a run without growth gives', () => {
  const emb = new Embedding({ numEmbeddings: 7, embeddingDim: 1024, seed: 6 });
  const lstm = new LSTM({ inputSize: 1024, hiddenSize: 4, seed: 7 });
  try {
    const weight = emb.stateDict().weight.data;
    withHeapFilled((room) => {
      // Embedding: wasm memory grows while the output is made.
      const ids = Array.from({ length: Math.ceil(room / 4096) }, (_, i) => (i * 5) % 7);
      const before = heapBytes();
      const out = emb.forward(ids);
      expect(heapBytes()).toBeGreaterThan(before);
      for (const i of [0, 1, ids.length >> 1, ids.length - 1]) expect(out.data.subarray(i * 1024, (i + 1) * 1024)).toEqual(weight.subarray(ids[i] * 1024, (ids[i] + 1) * 1024));
    });
    let input: Tensor | undefined;
    const [first, [h1]] = withHeapFilled((room) => {
      // LSTM: wasm memory grows while the input is copied in.
      const T = Math.ceil(room / 4096);
      const data = new Float32Array(T * 1024);
      for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 1000) / 500 - 1;
      input = new Tensor(data, [T, 1024]);
      const before = heapBytes();
      const result = lstm.forward(input);
      expect(heapBytes()).toBeGreaterThan(before);
      return result;
    });
    const before = heapBytes();
    const [second, [h2]] = lstm.forward(input!);
    expect(heapBytes()).toBe(before); // the room is there now: no growth this time
    expect(first.data).toEqual(second.data);
    expect(h1.data).toEqual(h2.data);
    expect(h1.data.every((v) => Math.abs(v) < 1)).toBe(true);
  } finally {
    emb.dispose();
    lstm.dispose();
  }
});
