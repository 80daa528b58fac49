// fit()'s benchmark, the same code in Node and in a Chromium page: T1 (the character model of
// the training benchmark) and T3 (its classifier) trained through fit on the calling thread, in
// fit's worker, and in the worker with sync() every second (the weights copied back), from the
// same weights on the same batches, in alternating rounds after a warm-up run of each.
//   R: the rnn-wasm module, initialised; ids: Tiny Shakespeare as character ids.

import { median } from '../timing.mjs';

export const VARIANTS = ['calling thread', 'worker', 'worker + sync() every second'];

function workloads(R, ids, steps) {
  const random = new R.Random(7);
  const rand = () => random.next();
  const examples = Array.from({ length: 64 * steps }, () => [Array.from({ length: 40 }, () => 1 + Math.floor(rand() * 9999)), rand() < 0.5 ? 0 : 1]);
  return {
    T1: {
      make: () => new R.LanguageModel({ vocabSize: 65, embeddingDim: 65, hiddenSize: 128, numLayers: 1, cell: 'lstm' }),
      // 32 streams of steps * 64 + 1 characters: `steps` windows of 64.
      options: { data: ids.subarray(0, 32 * (steps * 64 + 1)), batchSize: 32, bptt: 64, shuffle: false },
    },
    T3: {
      make: () => new R.TextClassifier({ vocabSize: 10000, embeddingDim: 100, hiddenSize: 128, numClasses: 2, pooling: 'last', paddingIdx: 0 }),
      options: { data: examples, batchSize: 64 },
    },
  };
}


/** One fit: { wall: tokens per second from fit() to done, steady: the median rate the progress reports give after the first }. */
async function once(R, model, options, variant) {
  const rates = [];
  const started = performance.now();
  const run = R.fit(model, { ...options, epochs: 1, optimizer: { name: 'adam', lr: 2e-3 }, clipGradNorm: 5, worker: variant !== 0,
    onProgress: (p) => !p.epochEnd && rates.push(p.tokensPerSecond) });
  const syncing = variant === 2 ? setInterval(() => run.sync().catch(() => undefined), 1000) : undefined;
  const result = await run.done;
  clearInterval(syncing);
  const seconds = (performance.now() - started) / 1000;
  const tokens = options.batchSize * (options.bptt ?? 40) * result.steps;
  return { wall: tokens / seconds, steady: median(rates.slice(1)) };
}

export async function fitBench(R, ids, { rounds = 3, steps = 40 } = {}) {
  const out = {};
  for (const [id, w] of Object.entries(workloads(R, ids, steps))) {
    const base = w.make();
    const samples = VARIANTS.map(() => ({ wall: [], steady: [] }));
    for (let round = -1; round < rounds; round++) { // round -1 warms up (JIT, caches) and is dropped
      for (let v = 0; v < VARIANTS.length; v++) {
        const model = w.make();
        model.loadStateDict(base.stateDict());
        const { wall, steady } = await once(R, model, w.options, v);
        model.dispose();
        if (round < 0) continue;
        samples[v].wall.push(wall);
        samples[v].steady.push(steady);
      }
    }
    base.dispose();
    out[id] = samples.map((s) => ({ wall: median(s.wall), steady: median(s.steady), walls: s.wall }));
  }
  return out;
}
