// rnn-wasm training runner (simd or baseline build), and the in-process W1 training ratio.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { inputOf, WORKLOADS } from '../workloads.mjs';
import { ADAM, CLIP_NORM, FOLDER } from './data.mjs';
import { median } from '../timing.mjs';

async function load(backendName) {
  const rnn = await import('rnn-wasm');
  await rnn.init({ backend: backendName });
  return rnn;
}

export async function rnnTrainer(backendName) {
  const rnn = await load(backendName);
  return {
    name: `rnn-wasm ${rnn.backend()}`,
    setup(w, id) {
      const model = w.kind === 'lm'
        ? new rnn.LanguageModel({ vocabSize: w.vocab, embeddingDim: w.embedding, hiddenSize: w.hidden, numLayers: w.layers, cell: 'lstm' })
        : new rnn.TextClassifier({ vocabSize: w.vocab, embeddingDim: w.embedding, hiddenSize: w.hidden, numClasses: w.classes, pooling: 'last' });
      model.loadStateDict(rnn.loadSafetensors(readFileSync(`${FOLDER}/${id}.safetensors`)).tensors);
      model.train();
      const opt = new rnn.optim.Adam(model, { lr: ADAM.lr });
      return {
        async step({ ids, targets, labels }) {
          opt.zeroGrad();
          const loss = model.loss(ids, w.kind === 'lm' ? targets : labels);
          const gradNorm = rnn.clipGradNorm(model, CLIP_NORM);
          opt.step();
          return { loss, gradNorm };
        },
        dispose() {
          opt.dispose();
          model.dispose();
        },
      };
    },
  };
}

/**
 * W1's shape (LSTM batch 1, 64 steps, 128 -> 256): the median time of an eval forward and of a
 * training step (forward, backward of a fixed random output gradient, Adam), interleaved in
 * rounds after a warm-up, and their ratio. Returns { forwardMs, stepMs, ratio }.
 */
export async function w1TrainingRatio(backendName, { rounds, warmUpMs }) {
  const rnn = await load(backendName);
  const w = WORKLOADS.W1;
  // Two layers with the same weights: one stays in eval mode (no activations kept for a
  // backward), the other trains.
  const evalLstm = new rnn.LSTM({ inputSize: w.input, hiddenSize: w.hidden, seed: 1 });
  const lstm = new rnn.LSTM({ inputSize: w.input, hiddenSize: w.hidden, seed: 1 });
  evalLstm.eval();
  const x = inputOf(w);
  const gradOut = new rnn.Tensor(Float32Array.from({ length: w.steps * w.batch * w.hidden }, (_, i) => Math.sin(1.3 * i + 0.5)), [w.steps, w.batch, w.hidden]);
  const opt = new rnn.optim.Adam(lstm, { lr: ADAM.lr });
  const forward = () => evalLstm.forward(x);
  const step = () => {
    lstm.train();
    opt.zeroGrad();
    lstm.forward(x);
    lstm.backward(gradOut);
    opt.step();
  };
  for (const f of [forward, step]) for (const start = performance.now(); performance.now() - start < warmUpMs;) f();
  const times = { forward: [], step: [] };
  for (let r = 0; r < rounds; r++) {
    for (const [name, f] of [['forward', forward], ['step', step]]) {
      const start = performance.now();
      f();
      times[name].push(performance.now() - start);
    }
  }
  opt.dispose();
  evalLstm.dispose();
  lstm.dispose();
  const forwardMs = median(times.forward), stepMs = median(times.step);
  return { forwardMs, stepMs, ratio: median(times.step.map((t, r) => t / times.forward[r])) };
}
