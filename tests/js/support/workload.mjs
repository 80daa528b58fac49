// A fixed, seeded workload over the whole API, for comparing runs: numerics.test.ts runs it in a
// child process per build (SIMD and baseline) and in the Jest process; isolation.test.ts in
// several worker threads at once. Every result is a plain array of numbers.
//
//   node tests/js/support/workload.mjs <URL of dist/index.js> <simd|baseline>   prints the results as JSON
//   new Worker(this file, { workerData: { library, backend } })                 posts them
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

const fixture = (name) => readFileSync(new URL(`../../golden/models/${name}.safetensors`, import.meta.url));

/** Deterministic inputs in [-1, 1]: no Math.random, the same in every process. */
function inputs(n, salt) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(0.37 * i + salt) * Math.cos(0.011 * i * salt);
  return out;
}

/** Runs the workload with an initialised rnn-wasm `R`; returns { name: number[] }. */
export function run(R) {
  const { Tensor } = R;
  const results = {};
  const keep = (name, t) => (results[name] = Array.from(t.data ?? t));
  const own = [];
  const make = (object) => (own.push(object), object);
  try {
    // Layers of odd sizes (SIMD bodies and tails), with lengths, states and every cell kind.
    const x = new Tensor(inputs(40 * 3 * 19, 1), [40, 3, 19]);
    const lstm = make(new R.LSTM({ inputSize: 19, hiddenSize: 37, numLayers: 2, bidirectional: true, seed: 1 }));
    const [out, [hN, cN]] = lstm.forward(x, null, { lengths: [40, 17, 1] });
    keep('lstm.output', out); keep('lstm.hN', hN); keep('lstm.cN', cN);
    const projected = make(new R.LSTM({ inputSize: 19, hiddenSize: 24, projSize: 9, seed: 2 }));
    keep('lstmProj.output', projected.forward(x)[0]);
    const gru = make(new R.GRU({ inputSize: 19, hiddenSize: 33, batchFirst: true, seed: 3 }));
    keep('gru.output', gru.forward(new Tensor(inputs(3 * 40 * 19, 2), [3, 40, 19]))[0]);
    const rnn = make(new R.RNN({ inputSize: 19, hiddenSize: 16, nonlinearity: 'relu', numLayers: 3, seed: 4 }));
    keep('rnnRelu.output', rnn.forward(x)[0]);
    const state = make(gru.state({ batch: 2 }));
    const steps = [];
    for (let t = 0; t < 25; t++) steps.push(...gru.step(new Tensor(inputs(2 * 19, 10 + t), [2, 19]), state).data);
    keep('gru.steps', steps);
    keep('gru.state', state.get()[0]);
    const lstmCell = make(new R.LSTMCell({ inputSize: 19, hiddenSize: 37, seed: 5 }));
    const [h1, c1] = lstmCell.forward(new Tensor(inputs(5 * 19, 3), [5, 19]), [new Tensor(inputs(5 * 37, 4), [5, 37]), new Tensor(inputs(5 * 37, 5), [5, 37])]);
    keep('lstmCell.h', h1); keep('lstmCell.c', c1);
    const gruCell = make(new R.GRUCell({ inputSize: 19, hiddenSize: 37, seed: 6 }));
    keep('gruCell.h', gruCell.forward(new Tensor(inputs(5 * 19, 6), [5, 19])));
    const rnnCell = make(new R.RNNCell({ inputSize: 19, hiddenSize: 37, seed: 7 }));
    keep('rnnCell.h', rnnCell.forward(new Tensor(inputs(19, 7), [19])));
    const linear = make(new R.Linear({ inFeatures: 37, outFeatures: 29, seed: 8 }));
    const logits = linear.forward(new Tensor(inputs(7 * 37, 8), [7, 37]));
    keep('linear', logits); keep('softmax', R.softmax(logits)); keep('sigmoid', R.sigmoid(logits)); keep('tanh', R.tanh(logits));
    const embedding = make(new R.Embedding({ numEmbeddings: 50, embeddingDim: 13, seed: 9 }));
    keep('embedding', embedding.forward([0, 49, 7, 7]));

    // Models from the committed fixtures.
    const classifier = make(R.loadModel(fixture('classifier_lstm_bi_2layers_last')));
    classifier.predict([[3, 7, 1, 12, 9], [5], [22, 0, 9]]).forEach((p, i) => keep(`classifier.${i}`, p));
    const lm = make(R.loadModel(fixture('lm_lstm_2layers')));
    keep('lm.logits', lm.logits([3, 14, 7, 1, 22]));
    keep('lm.greedy', lm.generate([3, 14], { maxTokens: 12, temperature: 0 }));
    const seq2seq = make(R.loadModel(fixture('seq2seq_gru')));
    const decoded = seq2seq.translate([4, 9, 11, 3], { bosId: 1, eosId: 2, beamSize: 3, maxLen: 10 });
    keep('seq2seq.ids', decoded.ids); keep('seq2seq.score', [decoded.score]);
  } finally {
    for (const object of own.reverse()) object.dispose();
  }
  return results;
}

async function runIn(library, backend) {
  const R = await import(library);
  await R.init({ backend });
  return { backend: R.backend(), results: run(R), live: R.liveObjectCount() };
}

if (!isMainThread && workerData?.library) {
  parentPort.postMessage(await runIn(workerData.library, workerData.backend));
} else if (isMainThread && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(JSON.stringify(await runIn(process.argv[2], process.argv[3])));
}
