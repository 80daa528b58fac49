// fit() (issue #11): every model shape trains through it, on the calling thread and in a
// worker_threads worker, with the same bits from the same seed; progress, stop, the signal,
// sync, checkpoints, streamed batches, the optimizer's state and frozen parameters come and go
// as documented; bad data is a typed error, in either place.
import {
  LanguageModel, RnnError, Seq2Seq, SequenceGenerator, Sequential, Tensor, TextClassifier, fit, loadCheckpoint, optim,
  type AnyModel, type FitOptions, type FitProgress,
} from 'rnn-wasm';

/** Deterministic examples: texts of 2..8 ids, labelled by whether they hold id 3. */
const texts = (n: number, salt = 0) => Array.from({ length: n }, (_, i) => {
  const ids = Array.from({ length: 2 + ((i + salt) % 7) }, (_, j) => 1 + (((i + salt) * 5 + j * 7) % 19));
  return [ids, ids.includes(3) ? 1 : 0] as [number[], number];
});
const text = Array.from({ length: 3000 }, (_, i) => (i * i + 3 * i + (i >> 4)) % 17);
const classifierConfig = { vocabSize: 20, embeddingDim: 6, hiddenSize: 8, numClasses: 2 };

/** A model of the same shape and weights as `model`. */
function twin<M extends AnyModel>(model: M): M {
  const copy = new (model.constructor as new (config: unknown) => M)(model.config);
  copy.loadStateDict(model.stateDict());
  return copy;
}

const flat = (model: AnyModel) => Object.values(model.stateDict()).flatMap((t) => Array.from(t.data));
const sameBits = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** Each shape: a fresh model, its data, and its validation data. */
const shapes: [string, () => AnyModel, unknown, unknown][] = [
  ['TextClassifier', () => new TextClassifier(classifierConfig), texts(60), texts(20, 3)],
  ['LanguageModel', () => new LanguageModel({ vocabSize: 17, embeddingDim: 8, hiddenSize: 8, numLayers: 1, cell: 'gru' }), text, text.slice(0, 400)],
  ['Seq2Seq', () => new Seq2Seq({ srcVocabSize: 20, tgtVocabSize: 20, embeddingDim: 4, hiddenSize: 8 }),
    texts(40).map(([ids]) => [ids, [1, ...ids.slice(0, -1)], ids]), texts(8, 1).map(([ids]) => [ids, [1, ...ids.slice(0, -1)], ids])],
  ['SequenceGenerator', () => new SequenceGenerator({ featureSize: 3, vocabSize: 20, embeddingDim: 4, hiddenSize: 6 }),
    texts(40).map(([ids], i) => [[i % 2, 1, -1], [1, ...ids.slice(0, -1)], ids]), undefined],
  ['Sequential', () => new Sequential({ layers: [{ type: 'linear', inFeatures: 3, outFeatures: 8 }, { type: 'tanh' }, { type: 'linear', inFeatures: 8, outFeatures: 2 }] }),
    Array.from({ length: 64 }, (_, i) => [[Math.sin(i), Math.cos(i), (i % 5) / 5], Math.sin(i) > 0 ? 1 : 0]), undefined],
];

async function fitted(model: AnyModel, options: FitOptions): Promise<{ progress: FitProgress[]; result: Awaited<ReturnType<typeof fit>['done']> }> {
  const run = fit(model, options);
  const progress: FitProgress[] = [];
  for await (const p of run.progress) progress.push(p);
  return { progress, result: await run.done };
}

describe('every model shape trains through fit, the same bits in a worker as on the calling thread', () => {
  test.each(shapes)('%s', async (name, make, data, validation) => {
    const model = make();
    const inWorker = twin(model);
    const before = flat(model);
    try {
      const options = { data, validation, epochs: 3, batchSize: 8, bptt: 16, optimizer: { name: 'adam', lr: 0.01 } } as FitOptions;
      const here = await fitted(model, { ...options, worker: false });
      const there = await fitted(inWorker, { ...options, worker: true });
      const ends = here.progress.filter((p) => p.epochEnd);
      expect(ends.map((p) => p.epoch)).toEqual([0, 1, 2]);
      expect(ends[2].loss).toBeLessThan(ends[0].loss); // it learns
      expect(here.result).toEqual(there.result);
      expect(here.result).toMatchObject({ epochs: 3, stopped: false });
      expect(sameBits(flat(model), flat(inWorker))).toBe(true);
      expect(sameBits(flat(model), before)).toBe(false);
      const last = ends[2];
      expect(last.learningRate).toBe(0.01);
      expect(last.gradNorm).toBeGreaterThan(0);
      expect(last.examplesPerSecond).toBeGreaterThan(0);
      expect(last.tokensPerSecond).toBeGreaterThanOrEqual(last.examplesPerSecond);
      if (validation === undefined) expect(last.validation).toBeUndefined();
      else expect(last.validation!.loss).toBeGreaterThan(0);
      if (name === 'TextClassifier') expect(last.validation!.accuracy).toBeGreaterThanOrEqual(0);
      if (name === 'LanguageModel') expect(last.validation!.perplexity).toBeCloseTo(Math.exp(last.validation!.loss), 10);
    } finally {
      model.dispose();
      inWorker.dispose();
    }
  });
});

test('the seed decides the shuffles: the same seed gives the same bits, another seed other weights', async () => {
  const base = new TextClassifier(classifierConfig);
  const runs = [0, 0, 7].map(() => twin(base));
  try {
    for (const [i, seed] of [0, 0, 7].entries()) await fit(runs[i], { data: texts(60), epochs: 2, batchSize: 8, seed, worker: false }).done;
    expect(sameBits(flat(runs[0]), flat(runs[1]))).toBe(true);
    expect(sameBits(flat(runs[0]), flat(runs[2]))).toBe(false);
  } finally {
    [base, ...runs].forEach((m) => m.dispose());
  }
});

test('models are seeded: the same seed gives the same initial weights, bit for bit', () => {
  const models = [3, 3, 4].map((seed) => new LanguageModel({ vocabSize: 17, embeddingDim: 4, hiddenSize: 4, numLayers: 2 }, { seed }));
  try {
    expect(sameBits(flat(models[0]), flat(models[1]))).toBe(true);
    expect(sameBits(flat(models[0]), flat(models[2]))).toBe(false);
    expect(() => new TextClassifier(classifierConfig, { seed: -1 })).toThrow(/TextClassifier: seed must be a non-negative integer, got -1/);
  } finally {
    models.forEach((m) => m.dispose());
  }
});

test('a language model\'s text is cut as PyTorch\'s word-language-model example cuts it: batchSize streams, bptt windows', async () => {
  const lm = new LanguageModel({ vocabSize: 17, embeddingDim: 4, hiddenSize: 4, numLayers: 1 });
  try {
    // 3000 tokens in 10 streams of 300: 299 predictions each, in windows of 35 -> 9 steps per epoch.
    const { result, progress } = await fitted(lm, { data: text, epochs: 2, batchSize: 10, bptt: 35, worker: false });
    expect(result.steps).toBe(18);
    expect(progress.filter((p) => p.epochEnd).map((p) => p.step)).toEqual([9, 18]);
  } finally {
    lm.dispose();
  }
});

test('classifier batches are bucketed by length: each batch holds texts of similar lengths', async () => {
  const model = new TextClassifier(classifierConfig);
  const seen: number[][] = [];
  const original = model.loss.bind(model);
  model.loss = ((ids: number[][], labels: number[]) => (seen.push(ids.map((t) => t.length)), original(ids, labels))) as typeof model.loss;
  try {
    await fit(model, { data: texts(70), batchSize: 10, worker: false }).done;
    expect(seen).toHaveLength(7);
    for (const lengths of seen) expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1); // 7 lengths over 70 texts
  } finally {
    model.dispose();
  }
});

describe.each([false, true])('worker: %s', (worker) => {
  test('progress comes at most every 100 ms and at each epoch\'s end, through the iterator and onProgress', async () => {
    const model = new TextClassifier({ ...classifierConfig, hiddenSize: 32 });
    let calls = 0;
    try {
      const started = performance.now();
      const { progress } = await fitted(model, { data: forMilliseconds(450), epochs: 2, worker, onProgress: () => calls++ });
      const elapsed = performance.now() - started;
      expect(calls).toBe(progress.length);
      expect(progress.filter((p) => p.epochEnd).map((p) => p.epoch)).toEqual([0, 1]);
      const between = progress.filter((p) => !p.epochEnd);
      expect(between.length).toBeGreaterThan(0);
      // At most one report per 100 ms between epoch ends (counted over the whole run, so that
      // messages arriving together do not matter).
      expect(between.length).toBeLessThanOrEqual(elapsed / 100 + 1);
      expect(progress.map((p) => p.step)).toEqual([...progress.map((p) => p.step)].sort((a, b) => a - b));
    } finally {
      model.dispose();
    }
  });

  test('stop() and the signal stop within one step and keep that step\'s weights; the model is usable meanwhile', async () => {
    const base = new TextClassifier(classifierConfig);
    const [a, b, replay] = [twin(base), twin(base), twin(base)];
    try {
      const controller = new AbortController();
      const viaStop = fit(a, { data: batches(), worker });
      const viaSignal = fit(b, { data: batches(), worker, signal: controller.signal });
      let stoppedAt = 0;
      for await (const p of viaStop.progress) {
        expect(a.predict([1, 2, 3])).toHaveLength(2); // the page can use the model while it trains
        if (p.step >= 3) {
          stoppedAt = (await viaStop.stop()).steps;
          break;
        }
      }
      controller.abort();
      const [stopped, aborted] = [await viaStop.done, await viaSignal.done];
      expect(stopped).toMatchObject({ stopped: true, steps: stoppedAt });
      expect(stoppedAt).toBeGreaterThanOrEqual(3);
      expect(aborted.stopped).toBe(true);
      expect(aborted.steps).toBeLessThan(1000);
      // The weights are those of the last complete step: the same batches, ending there, give the same bits.
      await fit(replay, { data: batches(stoppedAt), worker: false }).done;
      expect(sameBits(flat(a), flat(replay))).toBe(true);
    } finally {
      [base, a, b, replay].forEach((m) => m.dispose());
    }
  });

  test('sync() and stop() at once, before the first step (in a worker: while it loads), are answered', async () => {
    const model = new TextClassifier(classifierConfig);
    try {
      const run = fit(model, { data: batches(), worker });
      await run.sync();
      const result = await run.stop();
      expect(result.stopped).toBe(true);
      expect(result.steps).toBeLessThanOrEqual(2);
    } finally {
      model.dispose();
    }
  });

  test('an optimizer instance keeps its state across fits; frozen parameters stay as they were', async () => {
    const model = new TextClassifier(classifierConfig);
    const optimizer = new optim.SGD(model, { lr: 0.1, momentum: 0.9 });
    model.freeze('embedding.');
    const embedding = Array.from(model.stateDict()['embedding.weight'].data);
    try {
      await fit(model, { data: texts(40), batchSize: 8, worker, optimizer }).done;
      await fit(model, { data: texts(40), batchSize: 8, worker, optimizer }).done;
      const state = optimizer.stateDict().state;
      expect(state[0]).toBeUndefined(); // the frozen embedding has no momentum
      expect(Object.keys(state).length).toBeGreaterThan(0);
      expect(sameBits(Array.from(model.stateDict()['embedding.weight'].data), embedding)).toBe(true);
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  });

  test('sync() brings the current weights; checkpoint() saves the run as it stands', async () => {
    const model = new TextClassifier(classifierConfig);
    const before = flat(model);
    try {
      const run = fit(model, { data: texts(4000), epochs: 3, batchSize: 4, worker });
      for await (const p of run.progress) if (p.step > 5) break;
      await run.sync();
      expect(sameBits(flat(model), before)).toBe(false);
      const saved = loadCheckpoint(await run.checkpoint());
      expect(saved.step).toBeGreaterThan(5);
      expect(saved.optimizer!.typeName).toBe('Adam');
      const result = await run.stop();
      const final = loadCheckpoint(await run.checkpoint());
      expect(final.step).toBe(result.steps);
      final.optimizer!.dispose();
      final.model.dispose();
      await run.sync(); // after the end: nothing to do
      saved.optimizer!.dispose();
      saved.model.dispose();
    } finally {
      model.dispose();
    }
  });

  test('batches from an async iterable, read once per epoch', async () => {
    const model = new Sequential({ layers: [{ type: 'linear', inFeatures: 2, outFeatures: 2 }] });
    let epochs = 0;
    const data = {
      async *[Symbol.asyncIterator]() {
        epochs++;
        for (let i = 0; i < 4; i++) yield [new Tensor([i, 1, 1, i], [2, 2]), [0, 1]];
      },
    };
    try {
      const { result } = await fitted(model, { data, epochs: 3, worker });
      expect(result.steps).toBe(12);
      expect(epochs).toBe(3);
    } finally {
      model.dispose();
    }
  });

  test('bad data is RnnError "argument" naming it, and the module keeps working', async () => {
    const model = new TextClassifier(classifierConfig);
    try {
      const cases: [unknown, RegExp][] = [
        [[], /data must be a non-empty array of examples \[ids, label\]/],
        [[[[1, 2], 0], [[1, 2]]], /data\[1\] must be \[ids, label\]/],
        [[[[1, 99], 0]], /token id 99 at position 1 is not an integer in \[0, 20\)/],
      ];
      for (const [data, message] of cases) {
        await expect(fit(model, { data, worker }).done).rejects.toMatchObject({ code: 'argument', message: expect.stringMatching(message) });
      }
      await expect(fit(model, { data: texts(4), validation: 'text', worker }).done).rejects.toThrow(/validation must be a non-empty array/);
      const lm = new LanguageModel({ vocabSize: 17, embeddingDim: 4, hiddenSize: 4, numLayers: 1 });
      await expect(fit(lm, { data: text, validation: [3], worker }).done).rejects.toThrow(/validation holds 1 tokens; a language model needs at least 2/);
      await expect(fit(lm, { data: text.slice(0, 40), batchSize: 32, worker }).done).rejects.toThrow(/data holds 40 tokens, too few for 32 streams/);
      lm.dispose();
      const result = await fit(model, { data: texts(8), worker }).done;
      expect(result.steps).toBe(1);
    } finally {
      model.dispose();
    }
  });
});

/** Batches of 4 texts, for `ms` milliseconds from the start of each epoch. */
function forMilliseconds(ms: number): AsyncIterable<[number[][], number[]]> {
  const examples = texts(4);
  return {
    async *[Symbol.asyncIterator]() {
      const end = performance.now() + ms;
      while (performance.now() < end) yield [examples.map((e) => e[0]), examples.map((e) => e[1])];
    },
  };
}

/** The same 1000 batches of 4 texts each time (or the first `limit`), streamed. */
function batches(limit = 1000): AsyncIterable<[number[][], number[]]> {
  const examples = texts(4 * limit);
  return {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < limit; i++) {
        const batch = examples.slice(4 * i, 4 * i + 4);
        yield [batch.map((e) => e[0]), batch.map((e) => e[1])];
      }
    },
  };
}

test('bad options are RnnError "argument" at once', () => {
  const model = new TextClassifier(classifierConfig);
  const other = new TextClassifier(classifierConfig);
  const foreign = new optim.Adam(other);
  try {
    expect(() => fit(null as never, { data: [] })).toThrow(/expected a model/);
    expect(() => fit(model, { data: texts(4), epochs: 0 })).toThrow(/epochs must be a positive integer, got 0/);
    expect(() => fit(model, { data: texts(4), batchSize: 2.5 })).toThrow(/batchSize must be a positive integer/);
    expect(() => fit(model, { data: texts(4), seed: -1 })).toThrow(/seed must be an integer in \[0, 2\^32\)/);
    expect(() => fit(model, { data: texts(4), clipGradNorm: 0 })).toThrow(/clipGradNorm must be a positive number/);
    expect(() => fit(model, { data: texts(4), optimizer: { name: 'rmsprop' } as never })).toThrow(/optimizer must be an optim.SGD, Adam or AdamW/);
    expect(() => fit(model, { data: texts(4), optimizer: { name: 'sgd' } as never })).toThrow(/SGD: lr is required/);
    expect(() => fit(model, { data: texts(4), optimizer: foreign })).toThrow(/updates another model/);
    expect(() => fit(model, { data: texts(4), signal: 'stop' as never })).toThrow(RnnError);
  } finally {
    foreign.dispose();
    other.dispose();
    model.dispose();
  }
});
