// Model files exported by the PyTorch twins (python/rnn_wasm/models.py) against PyTorch's
// numbers (tests/golden/make_golden_models.py), and the LanguageModel session.
import { Embedding, LanguageModel, Seq2Seq, SequenceGenerator, Sequential, TextClassifier, Tensor, loadModel, loadSafetensors, saveSafetensors } from 'rnn-wasm';

import { expectClose, expectRnnError, goldenModelFile, readGolden, TOLERANCE } from './helpers.js';

interface Expected {
  torch: string;
  texts: number[][];
  models: Record<string, {
    kind: string; probabilities?: number[][]; traces?: number[][][]; prompt?: number[]; logits?: number[][]; greedy?: number[];
    decodes?: { src?: number[]; features?: number[]; beamSize: number; lengthPenalty: number; ids: number[]; score: number }[];
    x?: number[][]; y?: number[][];
  }>;
}

const expected = readGolden<Expected>('models/expected.json');
const asGolden = (rows: number[][]) => ({ shape: [rows.length, rows[0].length], data: rows.flat() });
// Each golden model has an int8 twin, "<name>_int8" (an export(dtype='int8') file, PyTorch on W'):
// it must load as int8, which refuses train mode.
const expectWeightsOf = (name: string, model: { train(): unknown }) => {
  if (name.endsWith('_int8')) expect(() => model.train()).toThrow(/int8, for inference only/);
  else model.train();
};
const stack = (rows: Float32Array[]) => new Tensor(Float32Array.from(rows.flatMap((r) => [...r])), [rows.length, rows[0].length]);

describe(`models match PyTorch ${expected.torch}`, () => {
  test.each(Object.entries(expected.models).filter(([, m]) => m.kind === 'TextClassifier'))('%s: predict one, a batch, and trace', (name, want) => {
    const model = loadModel(goldenModelFile(name));
    try {
      expect(model).toBeInstanceOf(TextClassifier);
      expectWeightsOf(name, model);
      model.eval();
      const classifier = model as TextClassifier;
      expectClose(stack(classifier.predict(expected.texts)), asGolden(want.probabilities!), TOLERANCE);
      expectClose(stack([classifier.predict(expected.texts[2])]), asGolden([want.probabilities![2]]), TOLERANCE);
      expected.texts.forEach((text, i) => expectClose(stack(classifier.trace(text)), asGolden(want.traces![i]), TOLERANCE));
    } finally {
      model.dispose();
    }
  });

  test.each(Object.entries(expected.models).filter(([, m]) => m.kind === 'LanguageModel'))('%s: logits, session, greedy generation', (name, want) => {
    const lm = loadModel(goldenModelFile(name)) as LanguageModel;
    const session = lm.session();
    try {
      expect(lm).toBeInstanceOf(LanguageModel);
      expectWeightsOf(name, lm);
      lm.eval();
      expectClose(lm.logits(want.prompt!), asGolden(want.logits!), TOLERANCE);
      // A session fed in pieces ends where the full recomputation ends.
      session.feed(want.prompt!.slice(0, 1));
      session.feed(want.prompt!.slice(1));
      expect(session.length).toBe(want.prompt!.length);
      expectClose(new Tensor(session.logits(), [1, 23]), asGolden([want.logits!.at(-1)!]), TOLERANCE);
      expect(lm.generate(want.prompt!, { maxTokens: 8, temperature: 0 })).toEqual(want.greedy);
    } finally {
      session.dispose();
      lm.dispose();
    }
  });
});

describe('decoders match the PyTorch reference decoder (same ids, scores within 1e-4)', () => {
  test.each(Object.entries(expected.models).filter(([, m]) => m.decodes))('%s: greedy and beam search', (name, want) => {
    const model = loadModel(goldenModelFile(name));
    try {
      expectWeightsOf(name, model);
      model.eval();
      for (const d of want.decodes!) {
        const options = { bosId: 1, eosId: 2, maxLen: 10, beamSize: d.beamSize, lengthPenalty: d.lengthPenalty };
        const got = model instanceof Seq2Seq ? model.translate(d.src!, options) : (model as SequenceGenerator).generate(d.features!, options);
        expect(got.ids).toEqual(d.ids);
        expect(Math.abs(got.score - d.score)).toBeLessThan(1e-4);
      }
      expect(model instanceof Seq2Seq || model instanceof SequenceGenerator).toBe(true);
    } finally {
      model.dispose();
    }
  });

  test.each(['sequential', 'sequential_int8'])('%s: Sequential (one-to-one)', (name) => {
    const want = expected.models[name];
    const mlp = loadModel(goldenModelFile(name)) as Sequential;
    try {
      expect(mlp).toBeInstanceOf(Sequential);
      expectWeightsOf(name, mlp);
      mlp.eval();
      expectClose(mlp.forward(new Tensor(Float32Array.from(want.x!.flat()), [2, 4])), asGolden(want.y!), TOLERANCE);
    } finally {
      mlp.dispose();
    }
  });

  test("decoder options are checked: 'argument'", () => {
    const model = loadModel(goldenModelFile('seq2seq_gru')) as Seq2Seq;
    try {
      expectRnnError(() => model.translate([3, 4], { bosId: 1, eosId: 2, beamSize: 0 }), 'argument', 'Seq2Seq.translate: beamSize must be a positive integer, got 0');
      expectRnnError(() => model.translate([3, 4], { bosId: 1, eosId: 17 }), 'argument', 'eosId must be a token id in [0, 17), got 17');
      expectRnnError(() => model.translate([], { bosId: 1, eosId: 2 }), 'argument', 'the sequence is empty');
    } finally {
      model.dispose();
    }
  });
});

describe('LanguageModel session', () => {
  const lm = () => loadModel(goldenModelFile('lm_lstm_2layers')) as LanguageModel;

  test('topK is sorted and leaves out excluded ids; clone and reset', () => {
    const model = lm();
    const s = model.session();
    try {
      s.feed([3, 14]);
      const top = s.topK(5);
      expect(top).toHaveLength(5);
      for (let i = 1; i < 5; i++) expect(top[i - 1].probability).toBeGreaterThanOrEqual(top[i].probability);
      expect(s.topK(5, { exclude: [top[0].id] }).map((t) => t.id)).not.toContain(top[0].id);
      const branch = s.clone();
      branch.feed([7]);
      s.feed([7]);
      expect(branch.logits()).toEqual(s.logits());
      branch.feed([8]);
      expect(branch.logits()).not.toEqual(s.logits());
      branch.dispose();
      s.reset();
      expect(s.length).toBe(0);
      expectRnnError(() => s.logits(), 'argument', 'feed() at least one token first');
      s.feed([3, 14]);
      expect(s.topK(5)).toEqual(top);
    } finally {
      s.dispose();
      model.dispose();
    }
  });

  test('seeded sampling is reproducible; topK 1 and temperature 0 are greedy; topP narrows', () => {
    const model = lm();
    try {
      const a = model.generate([3, 14], { maxTokens: 12, temperature: 1.3, seed: 42 });
      expect(model.generate([3, 14], { maxTokens: 12, temperature: 1.3, seed: 42 })).toEqual(a);
      expect(model.generate([3, 14], { maxTokens: 12, temperature: 1.3, seed: 43 })).not.toEqual(a);
      const greedy = model.generate([3, 14], { maxTokens: 6, temperature: 0 });
      expect(model.generate([3, 14], { maxTokens: 6, topK: 1, seed: 1 })).toEqual(greedy);
      expect(model.generate([3, 14], { maxTokens: 6, topP: 1e-6, seed: 1 })).toEqual(greedy);
      const stopped = model.generate([3, 14], { maxTokens: 6, temperature: 0, stopIds: [greedy[1]] });
      expect(stopped).toEqual(greedy.slice(0, greedy.indexOf(greedy[1]) + 1));
      expect(model.generate([3, 14], { maxTokens: 30, seed: 5, exclude: [0, 1, 2] }).some((id) => id < 3)).toBe(false);
    } finally {
      model.dispose();
    }
  });
});

describe('model files and errors', () => {
  test("a file that is not a model, of an unknown kind or a newer version: 'weights'", () => {
    const { tensors, metadata } = loadSafetensors(goldenModelFile('classifier_lstm_last'));
    expectRnnError(() => loadModel(saveSafetensors(tensors)), 'weights', 'not an rnn-wasm model file');
    expectRnnError(() => loadModel(saveSafetensors(tensors, { ...metadata, kind: 'Transformer' })), 'weights', 'unknown model kind "Transformer"; this version reads TextClassifier, LanguageModel');
    expectRnnError(() => loadModel(saveSafetensors(tensors, { ...metadata, formatVersion: '2' })), 'weights', 'format version 2, newer than this rnn-wasm reads (1)');
    const { 'rnn.weight_hh_l0': _, ...missing } = tensors;
    expectRnnError(() => loadModel(saveSafetensors(missing, metadata)), 'weights', "TextClassifier 'rnn.': LSTM.loadStateDict (strict): missing 'weight_hh_l0'");
    expectRnnError(() => loadModel(saveSafetensors({ ...tensors, 'extra.bias': tensors['head.0.bias'] }, metadata)), 'weights', "unexpected 'extra.bias'");
  });

  test('loadModel builds its model without drawing initial weights; modules made after it, or after a refused file, draw theirs', () => {
    const drawn = () => {
      const embedding = new Embedding({ numEmbeddings: 5, embeddingDim: 3, seed: 1 });
      const weight = embedding.stateDict().weight.data;
      embedding.dispose();
      return weight;
    };
    const before = drawn();
    expect(before.some((v) => v !== 0)).toBe(true);
    const { tensors, metadata } = loadSafetensors(goldenModelFile('lm_gru_tied'));
    loadModel(saveSafetensors(tensors, metadata)).dispose();
    expect(drawn()).toEqual(before);
    // Refused by the LanguageModel constructor, while the draws are off.
    const config = JSON.parse(metadata.config);
    expectRnnError(() => loadModel(saveSafetensors(tensors, { ...metadata, config: JSON.stringify({ ...config, hiddenSize: config.hiddenSize + 1 }) })), 'weights', 'tieWeights needs hiddenSize');
    expect(drawn()).toEqual(before);
  });

  test("bad input: empty texts, out-of-range ids, use after dispose", () => {
    const model = loadModel(goldenModelFile('classifier_lstm_last')) as TextClassifier;
    expectRnnError(() => model.predict([]), 'argument', 'TextClassifier.predict: text 0: the sequence is empty');
    expectRnnError(() => model.predict([[1, 2], []]), 'argument', 'text 1: the sequence is empty');
    expectRnnError(() => model.predict([1, 99]), 'argument', 'token id 99');
    model.dispose();
    model.dispose();
    expectRnnError(() => model.predict([1]), 'disposed', 'TextClassifier.predict: this TextClassifier was disposed');
  });
});
