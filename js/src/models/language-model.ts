// LanguageModel (synchronous many-to-many: next-token logits at every step), with its config,
// and LanguageModelSession, its streaming state.
import { Embedding } from '../embedding.js';
import { RnnError } from '../errors.js';
import { wasm } from '../init.js';
import { disposeSymbol } from '../lifetime.js';
import { Linear } from '../linear.js';
import { crossEntropy } from '../losses.js';
import type { Module, ParameterRef } from '../module.js';
import { unwrap } from '../raw.js';
import { LSTM, type RecurrentState } from '../recurrent.js';
import { Tensor } from '../tensor.js';
import { CELLS, checkOptions, withDefaults } from './config.js';
import { makeRandom, probabilitiesOf, rank, sampleFrom, type GenerateOptions, type SampleOptions } from './decoding.js';
import { IGNORE, Model, batchOf, checkIds, embedSequence, makeLayer, seedsOf, targetsOf, type CellKind, type ModelOptions, type RecurrentLayer } from './model.js';

export interface LanguageModelConfig {
  vocabSize: number;
  embeddingDim: number;
  hiddenSize: number;
  /** Default 'lstm'. */
  cell?: CellKind;
  /** Default 2. */
  numLayers?: number;
  /** The decoder shares the embedding matrix (hiddenSize must equal embeddingDim). */
  tieWeights?: boolean;
}

export function languageModelConfig(config: LanguageModelConfig): Required<LanguageModelConfig> {
  checkOptions('LanguageModel', config, { vocabSize: 'size', embeddingDim: 'size', hiddenSize: 'size' }, { cell: CELLS, numLayers: 'size', tieWeights: 'boolean' });
  return withDefaults<LanguageModelConfig>({ cell: 'lstm', numLayers: 2, tieWeights: false }, config);
}

/**
 * Synchronous many-to-many: Embedding -> RNN/GRU/LSTM -> Linear decoder over the vocabulary:
 * the next-token logits at every step. Twin: `rnn_wasm.models.LanguageModel`.
 *
 * @example
 * const s = lm.session(); s.feed(promptIds); const next = s.topK(5);
 */
export class LanguageModel extends Model {
  readonly kind = 'LanguageModel';
  readonly config: Required<LanguageModelConfig>;
  readonly embedding: Embedding;
  readonly rnn: RecurrentLayer;
  readonly decoder: Linear;

  constructor(config: LanguageModelConfig, options: ModelOptions = {}) {
    super();
    const seed = seedsOf(options, 'LanguageModel');
    const c = languageModelConfig(config);
    if (c.tieWeights && c.hiddenSize !== c.embeddingDim) {
      throw new RnnError('argument', `LanguageModel: tieWeights needs hiddenSize (${c.hiddenSize}) == embeddingDim (${c.embeddingDim})`);
    }
    this.config = c;
    try {
      this.embedding = this.own(new Embedding({ numEmbeddings: c.vocabSize, embeddingDim: c.embeddingDim, seed: seed() }));
      this.rnn = this.own(makeLayer(c.cell, { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: false, seed: seed() }));
      this.decoder = this.own(new Linear({ inFeatures: c.hiddenSize, outFeatures: c.vocabSize, seed: seed() }));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  protected named(): [string, Module][] {
    return [['embedding.', this.embedding], ['rnn.', this.rnn], ['decoder.', this.decoder]];
  }

  /** @internal With tied weights, decoder.weight is a copy of embedding.weight, kept equal by optimizers. */
  parameterRefs(): ParameterRef[] {
    const refs = super.parameterRefs();
    if (!this.config.tieWeights) return refs;
    return refs.filter((r) => r.name !== 'decoder.weight')
      .map((r) => (r.name === 'embedding.weight' ? { ...r, mirrors: [{ module: this.decoder as Module, slot: 'weight' }] } : r));
  }

  /** PyTorch names: embedding.weight, rnn.*, decoder.weight, decoder.bias (with tied weights decoder.weight may be absent). */
  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const dict = { ...stateDict };
    if (this.config.tieWeights && !dict['decoder.weight'] && dict['embedding.weight']) dict['decoder.weight'] = dict['embedding.weight'];
    this.loadParts(dict, this.named(), options.strict ?? true);
  }

  /**
   * A recurrent state for `batch` streams, carried from one `loss` window to the next and
   * detached (no gradient flows into earlier windows): truncated backpropagation through time,
   * as PyTorch's word-language-model example does. Plain tensors, nothing to dispose.
   *
   * @example
   * const state = lm.trainState(20);
   * for (const [ids, targets] of windows) lm.loss(ids, targets, { state });
   */
  trainState(batch = 1): LanguageModelTrainState {
    this.check('trainState');
    return new LanguageModelTrainState(this, batch);
  }

  /**
   * The mean cross-entropy of the next-token predictions for `ids` against `targets` (the same
   * shape: one sequence, or a batch of sequences of different lengths), over every token, as
   * the twin's `loss`. With `state`, the sequences start from it and it is advanced to where
   * they end. In train mode it also goes back through every part, adding to the gradients
   * (a tied decoder's into embedding.weight); in eval mode it only measures. Returns the loss.
   *
   * @example
   * lm.train(); opt.zeroGrad();
   * const loss = lm.loss([[3, 17, 9], [4, 2]], [[17, 9, 5], [2, 8]]);
   * opt.step();
   */
  loss(ids: ArrayLike<number> | ArrayLike<number>[], targets: ArrayLike<number> | ArrayLike<number>[], options: { state?: LanguageModelTrainState } = {}): number {
    this.check('loss');
    const c = this.config;
    const batch = batchOf(ids, 'LanguageModel.loss', c.vocabSize, 0);
    const flat = targetsOf(targets, batch, 'LanguageModel.loss', c.vocabSize, IGNORE);
    const state = options?.state;
    if (state !== undefined && !(state instanceof LanguageModelTrainState && state.model === this)) {
      throw new RnnError('argument', 'LanguageModel.loss: state must come from this model\'s trainState()');
    }
    if (state && state.batch !== batch.batch) {
      throw new RnnError('argument', `LanguageModel.loss: the state is for ${state.batch} sequences, the batch has ${batch.batch}`);
    }
    const { batch: B, steps: T } = batch;
    const x = new Tensor(this.embedding.forward(batch.ids).data, [B, T, c.embeddingDim]);
    const lengths = batch.lengths;
    let output: Tensor;
    if (this.rnn instanceof LSTM) {
      const [out, [hN, cN]] = this.rnn.forward(x, state ? [state.h, state.c!] : null, { lengths });
      output = out;
      state?.carry(hN, cN);
    } else {
      const [out, hN] = this.rnn.forward(x, state ? state.h : null, { lengths });
      output = out;
      state?.carry(hN, null);
    }
    const logits = this.decoder.forward(output);
    const { loss, grad } = crossEntropy(new Tensor(logits.data, [B * T, c.vocabSize]), flat);
    if (!this.training) return loss;
    const { input: gradOutput } = this.decoder.backward(new Tensor(grad.data, logits.shape));
    const { input } = this.rnn instanceof LSTM ? this.rnn.backward(gradOutput) : this.rnn.backward(gradOutput);
    this.embedding.backward(new Tensor(input.data, [B * T, c.embeddingDim]));
    if (c.tieWeights) unwrap(wasm()._moduleMoveGradient(this.decoder.rawHandle('loss'), 'weight', this.embedding.rawHandle('loss'), 'weight'));
    return loss;
  }

  /**
   * Next-token logits after every token: (T, vocabSize), row t predicting token t + 1.
   *
   * @example
   * const logits = lm.logits([3, 17, 9]);
   */
  logits(ids: ArrayLike<number>): Tensor {
    this.check('logits');
    const text = checkIds(ids, 'LanguageModel.logits', this.config.vocabSize);
    const x = embedSequence(this.embedding, text);
    const output = this.rnn instanceof LSTM ? this.rnn.forward(x)[0] : this.rnn.forward(x)[0];
    const logits = this.decoder.forward(output);
    return new Tensor(logits.data, [text.length, this.config.vocabSize]);
  }

  /**
   * A stateful session: each feed() costs only the new tokens, never a replay of the prefix.
   * Owns wasm memory: dispose() it.
   */
  session(): LanguageModelSession {
    this.check('session');
    return new LanguageModelSession(this);
  }

  /**
   * Feeds the prompt, then samples up to maxTokens tokens, feeding each back. Returns the new ids.
   *
   * @example
   * const ids = lm.generate(prompt, { maxTokens: 10, temperature: 0.8, topK: 40, seed: 1 });
   */
  generate(promptIds: ArrayLike<number>, options: GenerateOptions = {}): number[] {
    const session = this.session();
    try {
      session.feed(promptIds);
      const stop = new Set(Array.from(options.stopIds ?? []));
      const random = makeRandom(options.seed);
      const out: number[] = [];
      for (let i = 0; i < (options.maxTokens ?? 20); i++) {
        const id = session.sample({ ...options, seed: undefined }, random);
        out.push(id);
        if (stop.has(id)) break;
        session.feed([id]);
      }
      return out;
    } finally {
      session.dispose();
    }
  }
}

/**
 * A LanguageModel's recurrent state between training windows (`lm.trainState(batch)`): h and,
 * for LSTM, c, each (numLayers, batch, hiddenSize). Plain tensors: nothing to dispose.
 *
 * @example
 * const state = lm.trainState(4); lm.loss(ids, targets, { state }); state.reset();
 */
export class LanguageModelTrainState {
  readonly model: LanguageModel;
  readonly batch: number;
  h: Tensor;
  c: Tensor | null;

  /** @internal Made by `lm.trainState(batch)`. */
  constructor(model: LanguageModel, batch: number) {
    if (!Number.isInteger(batch) || batch < 1) throw new RnnError('argument', `LanguageModel.trainState: batch must be a positive integer, got ${batch}`);
    this.model = model;
    this.batch = batch;
    const shape = [model.config.numLayers, batch, model.config.hiddenSize];
    this.h = Tensor.zeros(shape);
    this.c = model.config.cell === 'lstm' ? Tensor.zeros(shape) : null;
  }

  /** Back to zeros (a new stream). */
  reset(): void {
    this.h = Tensor.zeros(this.h.shape);
    this.c = this.c && Tensor.zeros(this.c.shape);
  }

  /** @internal The state a window ended in becomes the next one's start. */
  carry(h: Tensor, c: Tensor | null): void {
    this.h = h;
    this.c = c;
  }
}

/**
 * The state of a LanguageModel after the tokens fed so far, in wasm memory.
 *
 * @example
 * const s = lm.session(); s.feed([5, 9]); console.log(s.topK(3)); s.feed([s.sample({ seed: 1 })]);
 */
export class LanguageModelSession {
  readonly model: LanguageModel;
  #state: RecurrentState;
  #last: Float32Array | undefined; // next-token logits, once a token was fed
  #fed = 0;

  /** @internal Made by `model.session()`. */
  constructor(model: LanguageModel, state?: RecurrentState) {
    this.model = model;
    this.#state = state ?? model.rnn.state({ batch: 1 });
  }

  /** How many tokens were fed since the start or the last reset(). */
  get length(): number {
    return this.#fed;
  }

  /** Advances the state over `ids`: one step per token, no replay of earlier tokens. */
  feed(ids: ArrayLike<number>): void {
    const text = checkIds(ids, 'LanguageModelSession.feed', this.model.config.vocabSize);
    const E = this.model.config.embeddingDim;
    const x = this.model.embedding.forward(text);
    let h: Tensor | undefined;
    for (let t = 0; t < text.length; t++) h = this.model.rnn.step(new Tensor(x.data.subarray(t * E, (t + 1) * E), [1, E]), this.#state);
    this.#last = this.model.decoder.forward(h!).data;
    this.#fed += text.length;
  }

  /** Next-token logits (vocabSize) after the tokens fed; throws before the first feed(). */
  logits(): Float32Array {
    if (!this.#last) throw new RnnError('argument', 'LanguageModelSession: feed() at least one token first');
    return this.#last;
  }

  /** Next-token probabilities (softmax of the logits). */
  probabilities(temperature = 1): Float32Array {
    return probabilitiesOf(this.logits(), temperature);
  }

  /** The k most likely next tokens, most likely first, leaving out `exclude`. */
  topK(k: number, options: { exclude?: ArrayLike<number> } = {}): { id: number; probability: number }[] {
    const p = this.probabilities();
    const excluded = new Set(Array.from(options.exclude ?? []));
    return rank(p).filter((id) => !excluded.has(id)).slice(0, k).map((id) => ({ id, probability: p[id] }));
  }

  /** Draws the next token id (it is not fed: call feed([id]) to go on). */
  sample(options: SampleOptions = {}, random: () => number = makeRandom(options.seed)): number {
    return sampleFrom(this.logits(), options, random);
  }

  /** An independent copy: the same tokens fed, its own state. */
  clone(): LanguageModelSession {
    const copy = new LanguageModelSession(this.model, this.#state.clone());
    copy.#last = this.#last;
    copy.#fed = this.#fed;
    return copy;
  }

  /** Back to the start: no tokens fed. */
  reset(): void {
    this.#state.reset();
    this.#last = undefined;
    this.#fed = 0;
  }

  dispose(): void {
    this.#state.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}
