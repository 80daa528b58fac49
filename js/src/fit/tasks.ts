// What fit() does with each model shape's data: the batches of an epoch (classifiers' examples
// bucketed by length, a language model's text as PyTorch's word-language-model example cuts it),
// one training step through the model's `loss`, and the validation figures.
import { RnnError } from '../errors.js';
import type { AnyModel } from '../models/model-file.js';
import type { LanguageModel, LanguageModelTrainState } from '../models/language-model.js';
import type { Random } from '../random.js';
import { Tensor, preview } from '../tensor.js';

/** One step's batch: the arguments of the model's `loss`, and what it holds. */
export interface StepBatch {
  args: unknown[];
  examples: number;
  tokens: number;
}

/** Validation figures: the mean loss, and accuracy (classifiers) or perplexity (language models). */
export interface Validation {
  loss: number;
  accuracy?: number;
  perplexity?: number;
}

export interface Task {
  /** The batches of one epoch, in the order to train on them (drawing from `rng` to shuffle). */
  epoch(rng: Random | null): Iterable<StepBatch>;
  /** Forward and backward of one batch; the mean loss. */
  step(batch: StepBatch): number;
  /** Evaluates `validation` in eval mode. */
  validate(): Validation | undefined;
}

export interface TaskOptions {
  batchSize: number;
  /** Language models: steps per window. */
  bptt: number;
}

const fail = (message: string): never => {
  throw new RnnError('argument', `fit: ${message}`);
};

function lengthOf(value: unknown): number {
  return value !== null && typeof value === 'object' && typeof (value as ArrayLike<unknown>).length === 'number' ? (value as ArrayLike<unknown>).length : 1;
}

/** Examples as tuples of `arity` loss arguments each. */
function checkExamples(data: unknown, arity: number, shape: string, where: string): unknown[][] {
  if (!Array.isArray(data) || data.length === 0) fail(`${where} must be a non-empty array of examples ${shape}, got ${preview(data)}`);
  (data as unknown[]).forEach((example, i) => {
    if (!Array.isArray(example) || example.length !== arity) fail(`${where}[${i}] must be ${shape}, got ${preview(example)}`);
  });
  return data as unknown[][];
}

/** Chunks `order` into batches of `size`; with `bucketBy`, examples of similar length share a batch. */
function batchesOf(examples: unknown[][], size: number, rng: Random | null, bucketBy?: (example: unknown[]) => number): number[][] {
  const order = examples.map((_, i) => i);
  rng?.shuffle(order); // shuffled first, so equal lengths come in a new order each epoch
  if (bucketBy) order.sort((a, b) => bucketBy(examples[a]) - bucketBy(examples[b]));
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += size) batches.push(order.slice(i, i + size));
  if (bucketBy) rng?.shuffle(batches); // and the buckets in a random order
  return batches;
}

/** A task over examples (every shape but the language model's): `collate` makes loss arguments. */
function exampleTask(model: AnyModel, data: unknown[][] | undefined, validation: unknown[][] | undefined, o: TaskOptions,
  collate: (examples: unknown[][]) => StepBatch, bucketBy?: (example: unknown[]) => number, accuracy?: (examples: unknown[][]) => number): Task {
  const loss = (batch: StepBatch) => (model.loss as (...args: unknown[]) => number)(...batch.args);
  return {
    *epoch(rng) {
      if (!data) return;
      for (const indices of batchesOf(data, o.batchSize, rng, bucketBy)) yield collate(indices.map((i) => data[i]));
    },
    step: loss,
    validate() {
      if (!validation) return undefined;
      let total = 0, count = 0, correct = 0;
      for (const indices of batchesOf(validation, o.batchSize, null, bucketBy)) {
        const examples = indices.map((i) => validation[i]);
        total += loss(collate(examples)) * examples.length;
        count += examples.length;
        if (accuracy) correct += accuracy(examples);
      }
      return accuracy ? { loss: total / count, accuracy: correct / count } : { loss: total / count };
    },
  };
}

/** The token stream of a language model's data: ids, or documents of ids joined. */
function streamOf(data: unknown, vocabSize: number, where: string): Int32Array {
  const parts = Array.isArray(data) && data.length > 0 && typeof data[0] === 'object' ? (data as ArrayLike<number>[]) : [data as ArrayLike<number>];
  if (!parts.every((p) => p !== null && typeof p === 'object' && typeof p.length === 'number')) fail(`${where} must be token ids (an array or Int32Array) or an array of them, got ${preview(data)}`);
  const stream = new Int32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++, at++) {
      const id = part[i];
      if (!(Number.isInteger(id) && id >= 0 && id < vocabSize)) fail(`${where}: token id ${preview(id)} at position ${at} is not an integer in [0, ${vocabSize})`);
      stream[at] = id;
    }
  }
  return stream;
}

/**
 * PyTorch's word-language-model batching: the stream cut into `batch` streams of equal length,
 * read in windows of `bptt` steps, each target the next token.
 */
function* windows(stream: Int32Array, batch: number, bptt: number): Generator<StepBatch> {
  const length = Math.floor(stream.length / batch);
  for (let i = 0; i < length - 1; i += bptt) {
    const steps = Math.min(bptt, length - 1 - i);
    const ids: number[][] = [], targets: number[][] = [];
    for (let b = 0; b < batch; b++) {
      const at = b * length + i;
      ids.push(Array.from(stream.subarray(at, at + steps)));
      targets.push(Array.from(stream.subarray(at + 1, at + 1 + steps)));
    }
    yield { args: [ids, targets], examples: batch, tokens: batch * steps };
  }
}

function languageModelTask(lm: LanguageModel, data: unknown, validation: unknown, o: TaskOptions): Task {
  const vocab = lm.config.vocabSize;
  const stream = data === undefined ? new Int32Array(0) : streamOf(data, vocab, 'data');
  const held = validation === undefined ? undefined : streamOf(validation, vocab, 'validation');
  if (held && held.length < 2) fail(`validation holds ${held.length} tokens; a language model needs at least 2 (one to predict from)`);
  if (data !== undefined && Math.floor(stream.length / o.batchSize) < 2) fail(`data holds ${stream.length} tokens, too few for ${o.batchSize} streams (batchSize) of at least 2 tokens`);
  // The state each window starts from: where the window before ended, detached; fresh each epoch.
  const run = (text: Int32Array, batch: number, each: (loss: number, tokens: number) => void) => {
    const state = lm.trainState(batch);
    for (const w of windows(text, batch, o.bptt)) each(lm.loss(w.args[0] as number[][], w.args[1] as number[][], { state }), w.tokens);
  };
  let state: LanguageModelTrainState | undefined;
  return {
    *epoch() {
      state = lm.trainState(o.batchSize);
      yield* windows(stream, o.batchSize, o.bptt);
    },
    step: (batch) => lm.loss(batch.args[0] as number[][], batch.args[1] as number[][], { state }),
    validate() {
      if (!held) return undefined;
      const batch = Math.max(1, Math.min(o.batchSize, Math.floor(held.length / 2)));
      let total = 0, tokens = 0;
      run(held, batch, (loss, n) => {
        total += loss * n;
        tokens += n;
      });
      return { loss: total / tokens, perplexity: Math.exp(total / tokens) };
    },
  };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The task for `model` over `data` (undefined when batches are streamed) and `validation`, checked up front. */
export function makeTask(model: AnyModel, data: unknown, validation: unknown, o: TaskOptions): Task {
  const examples = (value: unknown, where: string, arity: number, shape: string) => (value === undefined ? undefined : checkExamples(value, arity, shape, where));
  switch (model.kind) {
    case 'LanguageModel':
      return languageModelTask(model, data, validation, o);
    case 'TextClassifier': {
      const shape = '[ids, label]';
      const accuracy = (batch: unknown[][]) => {
        const probs = model.predict(batch.map((e) => e[0] as number[])) as Float32Array[];
        return probs.filter((p, i) => p.indexOf(Math.max(...p)) === batch[i][1]).length;
      };
      return exampleTask(model, examples(data, 'data', 2, shape), examples(validation, 'validation', 2, shape), o,
        (batch) => ({ args: [batch.map((e) => e[0]), batch.map((e) => e[1])], examples: batch.length, tokens: sum(batch.map((e) => lengthOf(e[0]))) }),
        (e) => lengthOf(e[0]), accuracy);
    }
    case 'Seq2Seq':
    case 'SequenceGenerator': {
      const shape = model.kind === 'Seq2Seq' ? '[src, tgtIn, tgtOut]' : '[features, tgtIn, tgtOut]';
      const source = model.kind === 'Seq2Seq';
      return exampleTask(model, examples(data, 'data', 3, shape), examples(validation, 'validation', 3, shape), o,
        (batch) => ({
          args: [batch.map((e) => e[0]), batch.map((e) => e[1]), batch.map((e) => e[2])], examples: batch.length,
          tokens: sum(batch.map((e) => (source ? lengthOf(e[0]) : 0) + lengthOf(e[1]))),
        }),
        (e) => (source ? lengthOf(e[0]) : lengthOf(e[1])));
    }
    case 'Sequential': {
      const shape = '[x, target] (x: numbers; target: a class id, or numbers for mean squared error)';
      const width = model.config.layers.find((l) => l.type === 'linear')!.inFeatures;
      return exampleTask(model, examples(data, 'data', 2, shape), examples(validation, 'validation', 2, shape), o, (batch) => {
        const x = new Float32Array(batch.length * width);
        batch.forEach((e, i) => {
          if (lengthOf(e[0]) !== width) fail(`an example's x holds ${lengthOf(e[0])} numbers, the model takes ${width}`);
          x.set(Array.from(e[0] as ArrayLike<number>), i * width);
        });
        const classes = typeof batch[0][1] === 'number';
        const targets = classes ? batch.map((e) => e[1] as number)
          : new Tensor(Float32Array.from(batch.flatMap((e) => Array.from(e[1] as ArrayLike<number>))), [batch.length, lengthOf(batch[0][1])]);
        return { args: [new Tensor(x, [batch.length, width]), targets], examples: batch.length, tokens: batch.length };
      });
    }
  }
}
