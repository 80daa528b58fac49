// The benchmark's workloads and their data: the same weights (PyTorch layout, from rnn-wasm's
// seeded initialisation) and inputs for every runtime.
import { mkdirSync, writeFileSync } from 'node:fs';

import { GRU, LSTM, Tensor, saveSafetensors } from 'rnn-wasm';

export const WORKLOADS = {
  W1: { title: 'many-to-one LSTM', model: 'lstm1', kind: 'lstm', layers: 1, batch: 1, steps: 64, input: 128, hidden: 256 },
  W2: { title: 'many-to-one GRU', model: 'gru1', kind: 'gru', layers: 1, batch: 1, steps: 64, input: 128, hidden: 256 },
  W3: { title: 'generation step, 2-layer LSTM', model: 'lstm2', kind: 'lstm', layers: 2, batch: 1, steps: 1, input: 256, hidden: 512 },
  W4: { title: 'throughput, 2-layer LSTM', model: 'lstm2', kind: 'lstm', layers: 2, batch: 32, steps: 64, input: 256, hidden: 512 },
};

/** Floating-point operations of one call (a multiply-add counts 2). */
export function flops(w) {
  const gates = w.kind === 'lstm' ? 4 : 3;
  let macs = 0;
  for (let k = 0; k < w.layers; k++) macs += gates * w.hidden * ((k ? w.hidden : w.input) + w.hidden);
  return 2 * macs * w.batch * w.steps;
}

/** Writes lstm1, gru1 and lstm2 weights as .safetensors into `folder`; returns their state dicts. */
export function writeWeights(folder) {
  mkdirSync(folder, { recursive: true });
  const layers = {
    lstm1: new LSTM({ inputSize: 128, hiddenSize: 256, seed: 1 }),
    gru1: new GRU({ inputSize: 128, hiddenSize: 256, seed: 2 }),
    lstm2: new LSTM({ inputSize: 256, hiddenSize: 512, numLayers: 2, seed: 3 }),
  };
  const weights = {};
  for (const [name, layer] of Object.entries(layers)) {
    weights[name] = layer.stateDict();
    writeFileSync(`${folder}/${name}.safetensors`, saveSafetensors(weights[name]));
    layer.dispose();
  }
  return weights;
}

/** A deterministic input (steps, batch, input), time-major. */
export function inputOf(w) {
  const n = w.steps * w.batch * w.input;
  return new Tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(0.37 * i)), [w.steps, w.batch, w.input]);
}
