// The training benchmark's workloads and their data, drawn once by seeded generators in the
// parent process: the initial weights (PyTorch's default distributions, PyTorch's state_dict
// names of python/rnn_wasm/models.py's twins) as .safetensors, and every step's batch as int32
// in a .bin file, so that every runtime (Python too) starts from the same weights and sees the
// same batches in the same order.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

import { Random, Tensor, saveSafetensors } from 'rnn-wasm';

export const FOLDER = 'build/bench/train';
// Karpathy's char-rnn copy of Tiny Shakespeare (public domain text), as the demo will use it.
export const TEXT = 'web-demo/public/data/tinyshakespeare.txt';

// lossSteps: the updates from the initial weights before the loss that is reported (the next
// step's, on its batch); they are also the warm-up. windowSteps: the steps in each of the 3
// timed windows that follow (throughput is their median). Both are the same for every runtime;
// T2's are few because TF.js takes 7 (wasm) to 25 (cpu) seconds a step there.
export function trainWorkloads(quick) {
  return {
    T1: { title: 'character model', kind: 'lm', vocab: 65, embedding: 65, hidden: 128, layers: 1, batch: 32, steps: 64,
      lossSteps: quick ? 5 : 30, windowSteps: quick ? 1 : 5 },
    T2: { title: 'character model, 2 layers', kind: 'lm', vocab: 65, embedding: 65, hidden: 256, layers: 2, batch: 32, steps: 64,
      lossSteps: quick ? 2 : 10, windowSteps: quick ? 1 : 2 },
    T3: { title: 'classifier', kind: 'classifier', vocab: 10000, embedding: 100, hidden: 128, layers: 1, classes: 2, batch: 64, steps: 40,
      lossSteps: quick ? 5 : 30, windowSteps: quick ? 1 : 5 },
  };
}

// Hyperparameters shared by every runtime that can use them (brain.js has its own optimizer).
export const ADAM = { lr: 2e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
export const CLIP_NORM = 5;
export const WINDOWS = 3;

/** Batches a workload needs: the loss steps, then the timed windows. */
export const batchCount = (w) => w.lossSteps + WINDOWS * w.windowSteps;

/** Uniform numbers in [0, 1) from rnn-wasm's seeded generator (mulberry32). */
export function random(seed) {
  const generator = new Random(seed >>> 0);
  return () => generator.next();
}

/** The text's characters, sorted (65 for Tiny Shakespeare), and the text as their ids. */
export function characters() {
  const text = readFileSync(TEXT, 'utf8');
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  return { chars, ids: Int32Array.from(text, (c) => index.get(c)) };
}

/** Initial weights as a state dict: LSTM and Linear U(±1/sqrt(fan_in)), embedding N(0, 1). */
function initialWeights(w, seed) {
  const rand = random(seed);
  const uniform = (shape, bound) => new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => (2 * rand() - 1) * bound), shape);
  const normal = (shape) => new Tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => {
    // Box-Muller; 1 - u keeps log's argument in (0, 1].
    return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  }), shape);
  const sd = { 'embedding.weight': normal([w.vocab, w.embedding]) };
  if (w.kind === 'classifier') sd['embedding.weight'].data.fill(0, 0, w.embedding); // padding_idx=0
  const k = 1 / Math.sqrt(w.hidden); // nn.LSTM: every weight and bias U(±1/sqrt(hidden_size))
  for (let l = 0; l < w.layers; l++) {
    const input = l ? w.hidden : w.embedding;
    sd[`rnn.weight_ih_l${l}`] = uniform([4 * w.hidden, input], k);
    sd[`rnn.weight_hh_l${l}`] = uniform([4 * w.hidden, w.hidden], k);
    sd[`rnn.bias_ih_l${l}`] = uniform([4 * w.hidden], k);
    sd[`rnn.bias_hh_l${l}`] = uniform([4 * w.hidden], k);
  }
  // nn.Linear: kaiming_uniform(a=sqrt(5)) for the weight is U(±1/sqrt(in)), and so is the bias.
  const out = w.kind === 'lm' ? 'decoder' : 'head.0';
  const outputs = w.kind === 'lm' ? w.vocab : w.classes;
  sd[`${out}.weight`] = uniform([outputs, w.hidden], k);
  sd[`${out}.bias`] = uniform([outputs], k);
  return sd;
}

/** The twin's config, in the file's metadata as python/rnn_wasm/models.py's export() writes it. */
function metadata(w) {
  const config = w.kind === 'lm'
    ? { vocabSize: w.vocab, embeddingDim: w.embedding, hiddenSize: w.hidden, cell: 'lstm', numLayers: w.layers, tieWeights: false }
    : { vocabSize: w.vocab, embeddingDim: w.embedding, hiddenSize: w.hidden, numClasses: w.classes, cell: 'lstm', numLayers: w.layers,
      bidirectional: false, pooling: 'last', head: [], activation: 'relu', paddingIdx: 0 };
  return { format: 'rnn-wasm', formatVersion: '1', kind: w.kind === 'lm' ? 'LanguageModel' : 'TextClassifier', config: JSON.stringify(config) };
}

/**
 * Character batches: (count, batch, steps + 1) ids, each row a random window of the first 90%
 * of the text (the usual training split); inputs are a row's first `steps` ids, targets its last.
 */
function characterBatches(w, ids, rand) {
  const train = Math.floor(0.9 * ids.length), row = w.steps + 1;
  const out = new Int32Array(batchCount(w) * w.batch * row);
  for (let r = 0; r < out.length / row; r++) {
    const at = Math.floor(rand() * (train - row));
    out.set(ids.subarray(at, at + row), r * row);
  }
  return out;
}

/**
 * Classifier batches, synthetic but learnable: 100 "positive" and 100 "negative" marker ids;
 * each sequence is `steps` random non-marker ids in [1, vocab) with 5, 7, ... or 15 markers at
 * random positions, each of the sequence's leading kind with probability 0.8; its label (1:
 * positive) says which kind is in the majority (an odd count: no ties). Measured in PyTorch:
 * the loss goes from 0.69 to about 0.55 in 30 steps (with 300 markers a kind, or 1 to 5 markers
 * a sequence, it stays at 0.69 for 45 steps: too little signal for a benchmark's few steps).
 * Returns ids (count, batch, steps) followed by labels (count, batch) in one array.
 */
function classifierBatches(w, rand) {
  const pick = (n) => Math.floor(rand() * n);
  const shuffled = Array.from({ length: w.vocab - 1 }, (_, i) => i + 1);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const kinds = 100, positive = shuffled.slice(0, kinds), negative = shuffled.slice(kinds, 2 * kinds), plain = shuffled.slice(2 * kinds);
  const sequences = batchCount(w) * w.batch;
  const out = new Int32Array(sequences * (w.steps + 1));
  for (let s = 0; s < sequences; s++) {
    const seq = out.subarray(s * w.steps, (s + 1) * w.steps);
    for (let t = 0; t < w.steps; t++) seq[t] = plain[pick(plain.length)];
    const markers = 5 + 2 * pick(6), leading = rand() < 0.5;
    // The first `markers` positions of a shuffle of 0..steps-1: distinct positions.
    const positions = Array.from({ length: w.steps }, (_, t) => t);
    let balance = 0;
    for (let m = 0; m < markers; m++) {
      const j = m + pick(w.steps - m);
      [positions[m], positions[j]] = [positions[j], positions[m]];
      const isPositive = (rand() < 0.8) === leading;
      seq[positions[m]] = isPositive ? positive[pick(kinds)] : negative[pick(kinds)];
      balance += isPositive ? 1 : -1;
    }
    out[sequences * w.steps + s] = balance > 0 ? 1 : 0;
  }
  return out;
}

/**
 * Writes every workload's weights (<id>.safetensors), batches (<id>.bin, int32 little-endian)
 * and manifest.json (the workloads, hyperparameters and file layout, for the Python runner).
 */
export function writeTrainingData(quick) {
  mkdirSync(FOLDER, { recursive: true });
  const workloads = trainWorkloads(quick);
  const { chars, ids } = characters();
  let seed = 1;
  for (const [id, w] of Object.entries(workloads)) {
    seed++;
    if (w.kind === 'lm' && chars.length !== w.vocab) throw new Error(`${TEXT} has ${chars.length} distinct characters, expected ${w.vocab}`);
    writeFileSync(`${FOLDER}/${id}.safetensors`, saveSafetensors(initialWeights(w, seed), metadata(w)));
    const batches = w.kind === 'lm' ? characterBatches(w, ids, random(100 + seed)) : classifierBatches(w, random(100 + seed));
    writeFileSync(`${FOLDER}/${id}.bin`, new Uint8Array(batches.buffer));
  }
  const manifest = { workloads, batchCounts: Object.fromEntries(Object.entries(workloads).map(([id, w]) => [id, batchCount(w)])), adam: ADAM, clipNorm: CLIP_NORM, windows: WINDOWS };
  writeFileSync(`${FOLDER}/manifest.json`, JSON.stringify(manifest, null, 1));
  return manifest;
}

/**
 * Reads one workload's batches back: for 'lm', { ids, targets } per step as number[][]
 * (batch, steps); for 'classifier', { ids, labels } (number[][] and number[]).
 */
export function readBatches(id, w) {
  const bytes = readFileSync(`${FOLDER}/${id}.bin`);
  const all = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const count = batchCount(w);
  const batches = [];
  for (let b = 0; b < count; b++) {
    if (w.kind === 'lm') {
      const rows = Array.from({ length: w.batch }, (_, r) => Array.from(all.subarray((b * w.batch + r) * (w.steps + 1), (b * w.batch + r + 1) * (w.steps + 1))));
      batches.push({ ids: rows.map((row) => row.slice(0, -1)), targets: rows.map((row) => row.slice(1)) });
    } else {
      const ids = Array.from({ length: w.batch }, (_, r) => Array.from(all.subarray((b * w.batch + r) * w.steps, (b * w.batch + r + 1) * w.steps)));
      const labelsAt = count * w.batch * w.steps + b * w.batch;
      batches.push({ ids, labels: Array.from(all.subarray(labelsAt, labelsAt + w.batch)) });
    }
  }
  return batches;
}
