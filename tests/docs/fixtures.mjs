// What the documentation's code examples take as given (`weights`, `x`, `lstm`, `fetch`, ...),
// made real: tests/docs/run-examples.mjs defines each name an example uses but does not declare.
// Models come from the repository (the demo's models and the test suite's small ones), so every
// example runs on real files.
import { readFileSync } from 'node:fs';

import { GRU, LSTM, LSTMCell, Tensor, init, loadModel, saveSafetensors } from 'rnn-wasm';

await init();
const repo = (path) => readFileSync(new URL(`../../${path}`, import.meta.url));
const random = (n, seed = 1) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 0.5);
const model = (path) => loadModel(repo(path));

// `fetch(name)` of the files the examples name, as a browser would get them from a server.
const FILES = {
  'model.safetensors': () => saveSafetensors(Object.fromEntries(
    Object.entries(new LSTM({ inputSize: 128, hiddenSize: 256, numLayers: 2, bidirectional: true, seed: 3 }).stateDict()).map(([k, v]) => [`rnn.${k}`, v]))),
  'sentiment.safetensors': () => repo('web-demo/public/models/sentiment.safetensors'),
};

const fixtures = {
  fetch: async (name) => {
    if (!(name in FILES)) throw new Error(`docs fixture: no file '${name}'`);
    const bytes = FILES[name]();
    return { ok: true, arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
  },
  weights: () => new LSTMCell({ inputSize: 3, hiddenSize: 4, seed: 2 }).stateDict(),
  x: () => new Tensor(random(5 * 2 * 128), [5, 2, 128]),     // (seqLen, batch, 128)
  h0: () => new Tensor(random(2 * 256, 2), [1, 2, 256]),
  c0: () => new Tensor(random(2 * 256, 3), [1, 2, 256]),
  lengths: () => [5, 3],
  gru: () => new GRU({ inputSize: 128, hiddenSize: 256, seed: 4 }),
  lstm: () => new LSTM({ inputSize: 128, hiddenSize: 256, seed: 5 }),
  frames: () => Array.from({ length: 4 }, (_, i) => new Tensor(random(128, i + 7), [1, 128])),
  bytes: () => repo('tests/golden/models/sequential.safetensors'),
  batch: () => 2,
  rows: () => random(2 * 4, 9),
  // The demo's models as float32 (their files are int8): the training examples train them.
  classifier: () => loadModel(repo('web-demo/public/models/sentiment.safetensors'), { weights: 'float32' }),
  lm: () => loadModel(repo('web-demo/public/models/nextword.safetensors'), { weights: 'float32' }),
  ids: () => [12, 7, 431, 5],
  promptIds: () => [12, 7, 431],
  nextId: () => 5,
  unkId: () => 1,
  eosId: () => 0,
  seq2seq: () => model('tests/golden/models/seq2seq_gru.safetensors'),
  srcIds: () => [3, 4, 5, 6],
  generator: () => model('tests/golden/models/generator_lstm.safetensors'),
  features: () => [0.5, -1, 2, 0, 1],
  // Training: batches of [texts, labels] for the sentiment classifier.
  stopButton: () => ({}),                 // a button's stand-in: examples set its onclick
  batches: () => [[[[12, 7, 431], [5, 9]], [1, 0]], [[[3, 4, 5, 6]], [0]]],
};

export const names = Object.keys(fixtures);

/** The fixtures called `wanted`, by name. */
export function make(wanted) {
  return Object.fromEntries(wanted.map((name) => [name, name === 'fetch' ? fixtures.fetch : fixtures[name]()]));
}
