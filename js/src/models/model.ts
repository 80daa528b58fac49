// What every model shares: the Model base class (its parts, disposed together; training the way
// modules train) and the helpers each model uses to build its layers, check and batch token ids.
import { ReLU, Sigmoid, Tanh } from '../activations.js';
import type { Embedding } from '../embedding.js';
import { RnnError } from '../errors.js';
import { crossEntropy } from '../losses.js';
import { disposeSymbol } from '../lifetime.js';
import { checkDtype, patternsOf, type Module, type ParameterRef, type Trainable } from '../module.js';
import { GRU, LSTM, RNN } from '../recurrent.js';
import { Tensor, preview, quote, quoteSome } from '../tensor.js';

export type CellKind = 'rnn' | 'gru' | 'lstm';
/** Any of the three recurrent layers, as a model holds them. */
export type RecurrentLayer = RNN | GRU | LSTM;

/**
 * What every model shares: the modules it is made of, disposed together, and the training
 * surface of a module (`Trainable`): train/eval, stateDict and gradients keyed by PyTorch's
 * names, zeroGrad, freeze, over all of them.
 */
export abstract class Model implements Trainable {
  abstract readonly kind: string;
  /** Every module the model owns (parameters or not), disposed with it. */
  protected readonly parts: Module[] = [];
  #disposed = false;
  #training = false;

  /** The modules that hold parameters, with their state_dict prefixes, in PyTorch's order. */
  protected abstract named(): [string, Module][];

  /** Frees every module of the model. A second dispose() does nothing. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const part of this.parts) part.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }

  /** True in train mode. */
  get training(): boolean {
    return this.#training;
  }

  /**
   * Train mode (the default argument) or eval mode, for every module of the model: in train
   * mode `loss` also goes back and accumulates gradients, and dropout applies. Returns this.
   *
   * @example
   * model.train(); model.loss(batch, labels); model.eval();
   */
  train(mode = true): this {
    this.check('train');
    for (const part of this.parts) part.train(mode);
    this.#training = Boolean(mode);
    return this;
  }

  /**
   * Keeps every weight matrix of the model (recurrent, Linear, Embedding) as int8 from now on, with one
   * float32 scale per output row: see `Module.quantize` and docs/int8.md. For inference; call
   * it in eval mode. Returns this.
   *
   * @example
   * const model = loadModel(bytes).quantize('int8');
   */
  quantize(dtype: 'int8'): this {
    this.check('quantize');
    checkDtype(dtype, `${this.kind}.quantize`);
    for (const part of this.parts) part.quantize(dtype);
    return this;
  }

  /** Eval mode (the default): `loss` only measures. Returns this. @example model.eval(); */
  eval(): this {
    return this.train(false);
  }

  /** Sets every gradient to zero. @example model.zeroGrad(); */
  zeroGrad(): void {
    this.check('zeroGrad');
    for (const part of this.parts) part.zeroGrad();
  }

  /**
   * A copy of every parameter, by PyTorch name (the twin's `state_dict()` names), in PyTorch's
   * order. A tied decoder weight appears once, as `embedding.weight`.
   *
   * @example
   * const weights = model.stateDict();
   */
  stateDict(): Record<string, Tensor> {
    this.check('stateDict');
    return this.collect((module) => module.stateDict());
  }

  /**
   * The accumulated gradient of every parameter, keyed exactly like `stateDict()`.
   *
   * @example
   * const grads = model.gradients();
   */
  gradients(): Record<string, Tensor> {
    this.check('gradients');
    return this.collect((module) => module.gradients());
  }

  /**
   * Freezes every parameter named, or whose name starts with, one of `names` (keys of
   * `stateDict()`): no gradient, no update. A name that matches nothing is RnnError 'argument'.
   *
   * @example
   * model.freeze(['embedding.', 'rnn.']); // fine-tune the head only
   */
  freeze(names: string | readonly string[]): void {
    this.setFrozen(names, true, 'freeze');
  }

  /** Undoes `freeze` for those names or prefixes. @example model.unfreeze('rnn.'); */
  unfreeze(names: string | readonly string[]): void {
    this.setFrozen(names, false, 'unfreeze');
  }

  /** @internal */
  parameterRefs(): ParameterRef[] {
    this.check('parameters');
    return this.named().flatMap(([prefix, module]) => module.parameterRefs().map((r) => ({ ...r, name: prefix + r.name })));
  }

  protected check(what: string): void {
    if (this.#disposed) throw new RnnError('disposed', `${this.kind}.${what}: this ${this.kind} was disposed`);
  }

  /** Adds a module the model owns; returns it. */
  protected own<M extends Module>(module: M): M {
    this.parts.push(module);
    return module;
  }

  private collect(read: (module: Module) => Record<string, Tensor>): Record<string, Tensor> {
    const byModule = new Map<Module, Record<string, Tensor>>();
    const out: Record<string, Tensor> = {};
    for (const ref of this.parameterRefs()) {
      if (!byModule.has(ref.module)) byModule.set(ref.module, read(ref.module));
      out[ref.name] = byModule.get(ref.module)![ref.slot];
    }
    return out;
  }

  private setFrozen(names: string | readonly string[], frozen: boolean, what: 'freeze' | 'unfreeze'): void {
    const patterns = patternsOf(names, `${this.kind}.${what}`);
    const refs = this.parameterRefs();
    const missing = patterns.find((p) => !refs.some((r) => r.name.startsWith(p)));
    if (missing !== undefined) {
      throw new RnnError('argument', `${this.kind}.${what}: no parameter is named or starts with ${quote(missing)}; the parameters are ${refs.map((r) => quote(r.name)).join(', ')}`);
    }
    const slots = new Map<Module, string[]>();
    for (const ref of refs.filter((r) => patterns.some((p) => r.name.startsWith(p)))) {
      for (const { module, slot } of [ref, ...ref.mirrors]) slots.set(module, [...(slots.get(module) ?? []), slot]);
    }
    for (const [module, list] of slots) frozen ? module.freeze(list) : module.unfreeze(list);
  }

  /** Splits a state dict by the model's prefixes and loads each part, strictly by default. */
  protected loadParts(stateDict: Record<string, Tensor>, targets: [string, { loadStateDict(d: Record<string, Tensor>, o: { strict: boolean }): void }][], strict: boolean, ignore: string[] = []): void {
    this.check('loadStateDict');
    // Entries, then Object.fromEntries: a name such as 'rnn.__proto__' becomes an own property
    // (and so an unexpected name), not the prototype of the part's dict.
    const byPrefix = new Map(targets.map(([prefix]) => [prefix, [] as [string, Tensor][]]));
    const unexpected: string[] = [];
    for (const [name, tensor] of Object.entries(stateDict)) {
      const prefix = targets.map(([p]) => p).find((p) => name.startsWith(p));
      if (prefix !== undefined) byPrefix.get(prefix)!.push([name.slice(prefix.length), tensor]);
      else if (!ignore.includes(name)) unexpected.push(name);
    }
    if (strict && unexpected.length) throw new RnnError('weights', `${this.kind}.loadStateDict (strict): unexpected ${quoteSome(unexpected)}`);
    for (const [prefix, target] of targets) {
      try {
        target.loadStateDict(Object.fromEntries(byPrefix.get(prefix)!), { strict });
      } catch (e) {
        if (e instanceof RnnError) throw new RnnError(e.code, `${this.kind} '${prefix}': ${e.message}`);
        throw e;
      }
    }
  }
}

/** Options every model's constructor takes besides its config. */
export interface ModelOptions {
  /**
   * Seeds the initial weights: the same seed gives the same weights, bit for bit (the model's
   * parts get seed, seed + 1, ... in order). Default: each module's own seed (a process-wide
   * counter, so a fresh process builds the same weights too).
   */
  seed?: number;
}

/** The seed of each part a model makes, in order: undefined (each module's default) without a seed. */
export function seedsOf(options: ModelOptions | undefined, owner: string): () => number | undefined {
  const seed = options?.seed;
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= Number.MAX_SAFE_INTEGER - 1000)) {
    throw new RnnError('argument', `${owner}: seed must be a non-negative integer, got ${preview(seed)}`);
  }
  let next = seed;
  return () => (next === undefined ? undefined : next++);
}

export function makeLayer(cell: CellKind, options: { inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean; seed?: number }): RecurrentLayer {
  const o = { ...options, batchFirst: true };
  if (cell === 'lstm') return new LSTM(o);
  if (cell === 'gru') return new GRU(o);
  if (cell === 'rnn') return new RNN(o);
  throw new RnnError('argument', `cell must be 'rnn', 'gru' or 'lstm', got '${String(cell)}'`);
}

/**
 * The ids as a number[], each an integer in [0, vocabSize). Checked here, before any float32
 * copy could round 2.0000001 to 2 or 2^24 + 1 to 2^24.
 */
export function checkIds(ids: ArrayLike<number>, where: string, vocabSize: number): number[] {
  if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') throw new RnnError('argument', `${where}: ids must be an array of token ids`);
  if (ids.length === 0) throw new RnnError('argument', `${where}: the sequence is empty; give at least one token id`);
  const text = Array.from(ids);
  text.forEach((id, i) => {
    if (!(Number.isInteger(id) && id >= 0 && id < vocabSize)) {
      throw new RnnError('argument', `${where}: token id ${typeof id === 'number' ? id : preview(id)} at position ${i} is not an integer in [0, ${vocabSize})`);
    }
  });
  return text;
}

/** Embeds checked ids as (1, T, embeddingDim): the number[] path, so no id is rounded. */
export function embedSequence(embedding: Embedding, text: number[]): Tensor {
  return new Tensor(embedding.forward(text).data, [1, text.length, embedding.embeddingDim]);
}

/** Row r of a (rows, cols) tensor. */
export const row = (t: Tensor, r: number, cols: number) => t.data.slice(r * cols, (r + 1) * cols);

/** An activation module by name, as configs name them. */
export function makeActivation(name: 'relu' | 'tanh' | 'sigmoid'): ReLU | Tanh | Sigmoid {
  return name === 'relu' ? new ReLU() : name === 'tanh' ? new Tanh() : new Sigmoid();
}

/** A batch of token sequences of different lengths, padded for a batch-first layer. */
export interface Batch {
  /** batch * steps ids, sequence b at b * steps, padded with `pad`. */
  ids: number[];
  lengths: number[];
  batch: number;
  steps: number;
}

/**
 * One sequence (ids) or several (ids[]) as a padded batch; each checked as `checkIds` does.
 * `single` says whether one sequence was given.
 */
export function batchOf(sequences: ArrayLike<number> | ArrayLike<number>[], where: string, vocabSize: number, pad: number): Batch & { single: boolean; texts: number[][] } {
  const single = !(Array.isArray(sequences) && sequences.length > 0 && typeof sequences[0] === 'object');
  if (!single && sequences.length === 0) throw new RnnError('argument', `${where}: the batch is empty`);
  const texts = (single ? [sequences as ArrayLike<number>] : (sequences as ArrayLike<number>[])).map((t, i) => checkIds(t, `${where}: sequence ${i}`, vocabSize));
  const steps = Math.max(...texts.map((t) => t.length));
  const ids = new Array<number>(texts.length * steps).fill(pad);
  texts.forEach((t, b) => t.forEach((id, j) => (ids[b * steps + j] = id)));
  return { ids, lengths: texts.map((t) => t.length), batch: texts.length, steps, single, texts };
}

/**
 * Targets shaped like `batch` (one id per token, or per sequence when `perSequence`), flattened
 * and padded with `ignore` where the batch is padding; each an integer in [0, classes).
 */
export function targetsOf(targets: unknown, batch: Batch & { single: boolean }, where: string, classes: number, ignore: number): number[] {
  const rows = batch.single ? [targets] : targets;
  if (!Array.isArray(rows) || rows.length !== batch.batch) {
    throw new RnnError('argument', `${where}: expected targets shaped like the input (${batch.batch} ${batch.single ? 'sequence' : 'sequences'}), got ${preview(targets)}`);
  }
  const out = new Array<number>(batch.batch * batch.steps).fill(ignore);
  rows.forEach((row, b) => {
    const ids = checkIds(row as ArrayLike<number>, `${where}: targets of sequence ${b}`, classes);
    if (ids.length !== batch.lengths[b]) throw new RnnError('argument', `${where}: sequence ${b} has ${batch.lengths[b]} tokens but ${ids.length} targets`);
    ids.forEach((id, t) => (out[b * batch.steps + t] = id));
  });
  return out;
}

/** The ignoreIndex models use for padded positions (PyTorch's default). */
export const IGNORE = -100;

/**
 * A decoder's loss with teacher forcing (Seq2Seq, SequenceGenerator): `tgtIn` (a batch of
 * `batchSize` sequences, or one when `single`) is fed from `initial` ([h] or [h, c], each
 * (numLayers, batch, hidden)), the output at every step is scored against `tgtOut` by mean
 * cross-entropy over all tokens. In training it goes back through output, decoder and embedding
 * and returns dL/d(initial state) too.
 */
export function decoderLoss(decoder: { embedding: Embedding; rnn: RecurrentLayer; output: { forward(x: Tensor): Tensor; backward(g: Tensor): { input: Tensor }; outFeatures: number } },
  tgtIn: unknown, tgtOut: unknown, initial: Tensor[], single: boolean, training: boolean, where: string): { loss: number; gradState: Tensor[] | null } {
  const vocab = decoder.output.outFeatures;
  const batch = batchOf(tgtIn as ArrayLike<number>[], `${where}: tgtIn`, decoder.embedding.numEmbeddings, 0);
  const B = initial[0].shape[1];
  if (batch.single !== single || batch.batch !== B) {
    throw new RnnError('argument', `${where}: tgtIn has ${batch.single ? 'one sequence' : `${batch.batch} sequences`}, the source ${single ? 'one' : B}`);
  }
  const flat = targetsOf(tgtOut, batch, `${where}: tgtOut`, vocab, IGNORE);
  const E = decoder.embedding.embeddingDim, T = batch.steps;
  const x = new Tensor(decoder.embedding.forward(batch.ids).data, [B, T, E]);
  const options = { lengths: batch.lengths };
  const output = decoder.rnn instanceof LSTM ? decoder.rnn.forward(x, [initial[0], initial[1]], options)[0] : decoder.rnn.forward(x, initial[0], options)[0];
  const logits = decoder.output.forward(output);
  const { loss, grad } = crossEntropy(new Tensor(logits.data, [B * T, vocab]), flat);
  if (!training) return { loss, gradState: null };
  const { input: gradOutput } = decoder.output.backward(new Tensor(grad.data, logits.shape));
  let gradX: Tensor, gradState: Tensor[];
  if (decoder.rnn instanceof LSTM) {
    const g = decoder.rnn.backward(gradOutput);
    [gradX, gradState] = [g.input, g.state];
  } else {
    const g = decoder.rnn.backward(gradOutput);
    [gradX, gradState] = [g.input, [g.state]];
  }
  decoder.embedding.backward(new Tensor(gradX.data, [B * T, E]));
  return { loss, gradState };
}
