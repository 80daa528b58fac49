// What every consumer project runs: rnn-wasm as its users import it, a 2-layer LSTM loaded with
// PyTorch's weights, and its output compared with PyTorch's (fixture.js); and fit() training a
// small classifier in its own worker (nothing for the project to serve or configure), which must
// give the same weights, bit for bit, as the same fit on the calling thread.
import { LSTM, Tensor, TextClassifier, backend, fit, init } from 'rnn-wasm';

import fixture from './fixture.js';

const tensor = ({ data, shape }) => new Tensor(new Float32Array(data), shape);

export async function runCheck(initOptions) {
  await init(initOptions);
  const lstm = new LSTM(fixture.config);
  lstm.loadStateDict(Object.fromEntries(Object.entries(fixture.weights).map(([name, t]) => [name, tensor(t)])));
  const [output] = lstm.forward(tensor(fixture.input));
  lstm.dispose();
  let maxError = output.data.length === fixture.output.data.length ? 0 : Infinity;
  fixture.output.data.forEach((expected, i) => {
    maxError = Math.max(maxError, Math.abs(output.data[i] - expected));
  });
  return { ok: maxError < 1e-5, maxError, backend: backend() };
}

export async function runFitCheck() {
  await init();
  const config = { vocabSize: 12, embeddingDim: 4, hiddenSize: 6, numClasses: 2 };
  const data = Array.from({ length: 24 }, (_, i) => {
    const ids = Array.from({ length: 2 + (i % 5) }, (_, j) => 1 + ((i * 5 + j * 7) % 11));
    return [ids, ids.includes(3) ? 1 : 0];
  });
  const initial = new TextClassifier(config);
  const weights = [];
  let progress = 0;
  for (const worker of [true, false]) {
    const model = new TextClassifier(config);
    model.loadStateDict(initial.stateDict());
    const run = fit(model, { data, epochs: 2, batchSize: 8, worker, optimizer: { name: 'adam', lr: 0.01 }, onProgress: () => progress++ });
    await run.done;
    weights.push(Array.from(model.stateDict()['rnn.weight_hh_l0'].data));
    model.dispose();
  }
  const changed = weights[0].some((v, i) => v !== initial.stateDict()['rnn.weight_hh_l0'].data[i]);
  initial.dispose();
  const same = weights[0].every((v, i) => v === weights[1][i]);
  return { ok: changed && same && progress >= 4, changed, same, progress };
}
