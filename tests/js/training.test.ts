// Training against PyTorch (tests/golden/training.safetensors, from make_golden_training.py):
// 100 steps of each optimizer on the same MLP, clip_grad_norm_, and 20 Adam steps of each model
// shape through its `loss`, from the same initial weights and batches.
import { readFileSync } from 'node:fs';

import {
  LanguageModel, Seq2Seq, SequenceGenerator, Sequential, Tensor, TextClassifier, clipGradNorm, loadSafetensors, optim,
  type LanguageModelTrainState, type SequentialLayer,
} from 'rnn-wasm';

interface Case {
  kind: 'optimizer' | 'clip' | 'model';
  [key: string]: unknown;
}

const bytes = readFileSync(new URL('../golden/training.safetensors', import.meta.url));
const file = loadSafetensors(bytes);
const cases = JSON.parse(file.metadata.cases) as Record<string, Case>;
const tensorsOf = (name: string) => loadSafetensors(bytes, { prefix: `${name}.` }).tensors;
const withPrefix = (t: Record<string, Tensor>, prefix: string) =>
  Object.fromEntries(Object.entries(t).filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
const MLP: SequentialLayer[] = [{ type: 'linear', inFeatures: 6, outFeatures: 10 }, { type: 'tanh' }, { type: 'linear', inFeatures: 10, outFeatures: 4 }];

const worst: Record<string, number> = {};

/**
 * The largest |got - want| over two tensors relative to the largest |want|: "within 1e-5
 * relative" of a tensor that holds values near zero (a weight crossing 0) is measured against
 * the tensor's scale, not each element's.
 */
function relative(got: Tensor, want: Tensor): number {
  expect([...got.shape]).toEqual([...want.shape]);
  let diff = 0, scale = 0;
  want.data.forEach((w, i) => {
    diff = Math.max(diff, Math.abs(got.data[i] - w));
    scale = Math.max(scale, Math.abs(w));
  });
  return scale === 0 ? diff : diff / scale;
}

/** Every tensor within `rtol` relative (as `relative` measures); the worst kept for the report under `label`. */
function expectDictClose(got: Record<string, Tensor>, want: Record<string, Tensor>, rtol: number, label: string): void {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  const measured = Math.max(...Object.keys(want).map((k) => relative(got[k], want[k])));
  worst[label] = Math.max(worst[label] ?? 0, measured);
  expect(measured).toBeLessThanOrEqual(rtol);
}

afterAll(() => console.log(`training: worst relative difference from PyTorch: ${Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`));

const optimizerCases = Object.entries(cases).filter(([, c]) => c.kind === 'optimizer');

describe(`optimizers match torch.optim ${file.metadata.torch} over 100 steps`, () => {
  const data = tensorsOf('data');
  const batches = [0, 1, 2, 3].map((i) => [data[`x${i}`], Array.from(data[`y${i}`].data)] as const);

  test.each(optimizerCases)('%s', (name, c) => {
    const t = tensorsOf(name);
    const mlp = new Sequential({ layers: MLP });
    const Kind = optim[c.optimizer as 'SGD' | 'Adam' | 'AdamW'];
    let opt: optim.Optimizer | undefined;
    try {
      mlp.loadStateDict(withPrefix(t, 'initial.'));
      mlp.train();
      opt = new Kind(mlp, c.options as optim.SGDOptions);
      const losses: number[] = [];
      for (let step = 0; step < 100; step++) {
        const [x, y] = batches[step % batches.length];
        opt.zeroGrad();
        losses.push(mlp.loss(x, y));
        opt.step();
      }
      // Final parameters within 1e-5 relative of PyTorch float32.
      expectDictClose(mlp.stateDict(), withPrefix(t, 'final.'), 1e-5, 'optimizer weights');
      losses.forEach((loss, i) => expect(Math.abs(loss - (c.losses as number[])[i])).toBeLessThanOrEqual(1e-5 * Math.abs(loss) + 1e-7));
      // The state, in PyTorch's layout and order: parameter i of stateDict() order.
      const { state, param_groups: groups } = opt.stateDict();
      const names = c.parameters as string[];
      expect(Object.keys(mlp.stateDict())).toEqual(names);
      expect(groups[0].params).toEqual(names.map((_, i) => i));
      for (const [key, want] of Object.entries(withPrefix(t, 'state.'))) {
        const [index, stateName] = key.split(/\.(.*)/s);
        const got = state[Number(index)][stateName];
        if (typeof got === 'number') expect(got).toBe(want.data[0]);
        else expect(relative(new Tensor(got.data, [got.size]), want)).toBeLessThanOrEqual(1e-4);
      }
    } finally {
      opt?.dispose();
      mlp.dispose();
    }
  });
});

describe('clipGradNorm matches torch.nn.utils.clip_grad_norm_', () => {
  test.each(Object.entries(cases).filter(([, c]) => c.kind === 'clip'))('%s', (name, c) => {
    const t = tensorsOf(name);
    const mlp = new Sequential({ layers: MLP });
    try {
      mlp.loadStateDict(withPrefix(t, 'initial.'));
      mlp.train().loss(t.x, Array.from(t.y.data));
      expectDictClose(mlp.gradients(), withPrefix(t, 'grad.'), 1e-5, 'clip gradients');
      const normType = c.normType === 'inf' ? Infinity : (c.normType as number);
      const norm = clipGradNorm(mlp, c.maxNorm as number, { normType });
      expect(Math.abs(norm - (c.norm as number))).toBeLessThanOrEqual(1e-5 * (c.norm as number));
      expectDictClose(mlp.gradients(), withPrefix(t, 'clipped.'), 1e-5, 'clip gradients');
    } finally {
      mlp.dispose();
    }
  });
});

type Model = TextClassifier | LanguageModel | Seq2Seq | SequenceGenerator | Sequential;

function makeModel(kind: string, config: unknown): Model {
  switch (kind) {
    case 'TextClassifier': return new TextClassifier(config as ConstructorParameters<typeof TextClassifier>[0]);
    case 'LanguageModel': return new LanguageModel(config as ConstructorParameters<typeof LanguageModel>[0]);
    case 'Seq2Seq': return new Seq2Seq(config as ConstructorParameters<typeof Seq2Seq>[0]);
    case 'SequenceGenerator': return new SequenceGenerator(config as ConstructorParameters<typeof SequenceGenerator>[0]);
    default: return new Sequential(config as { layers: SequentialLayer[] });
  }
}

type Batch = Record<string, number[][] | number[]>;

/** One step's loss, as make_golden_training.py's `run` computes it for the twin. */
function lossOf(model: Model, batch: Batch, first: boolean, state: { value?: LanguageModelTrainState }): number {
  if (model instanceof TextClassifier) return model.loss(batch.texts as number[][], batch.labels as number[]);
  if (model instanceof LanguageModel) {
    if (first) state.value?.reset();
    state.value ??= model.trainState(batch.ids.length);
    return model.loss(batch.ids as number[][], batch.targets as number[][], { state: state.value });
  }
  if (model instanceof Seq2Seq) return model.loss(batch.src as number[][], batch.tgtIn as number[][], batch.tgtOut as number[][]);
  if (model instanceof SequenceGenerator) return model.loss(batch.features as number[][], batch.tgtIn as number[][], batch.tgtOut as number[][]);
  const x = batch.x as number[][];
  const input = new Tensor(Float32Array.from(x.flat()), [x.length, x[0].length]);
  const targets = batch.targets as number[][] | number[];
  return model.loss(input, Array.isArray(targets[0]) ? new Tensor(Float32Array.from((targets as number[][]).flat()), [x.length, (targets[0] as number[]).length]) : (targets as number[]));
}

describe('each model shape: 20 Adam steps match its PyTorch twin', () => {
  test.each(Object.entries(cases).filter(([, c]) => c.kind === 'model'))('%s', (name, c) => {
    const t = tensorsOf(name);
    const model = makeModel(c.model as string, c.config);
    let opt: optim.Adam | undefined;
    try {
      model.loadStateDict(withPrefix(t, 'initial.'));
      model.train();
      opt = new optim.Adam(model, { lr: 0.01 });
      const batches = c.batches as Batch[];
      const state = {};
      const losses = c.losses as number[];
      for (let step = 0; step < 20; step++) {
        opt.zeroGrad();
        const loss = lossOf(model, batches[step % batches.length], step % batches.length === 0, state);
        const difference = Math.abs(loss - losses[step]) / losses[step];
        worst['model losses'] = Math.max(worst['model losses'] ?? 0, difference);
        expect(difference).toBeLessThanOrEqual(1e-5);
        opt.step();
      }
      const want = withPrefix(t, 'final.');
      if (model instanceof LanguageModel && model.config.tieWeights) {
        // A tied decoder weight is embedding.weight: stateDict() holds it once, and the copy
        // the decoder computes with stayed equal to it through every step.
        expect(Array.from(model.decoder.stateDict().weight.data)).toEqual(Array.from(model.stateDict()['embedding.weight'].data));
        delete want['decoder.weight'];
      }
      expectDictClose(model.stateDict(), want, 1e-5, `model weights ${name}`);
    } finally {
      opt?.dispose();
      model.dispose();
    }
  });
});
