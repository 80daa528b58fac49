// LanguageModel (synchronous many-to-many: next-token logits at every step), with its config,
// and LanguageModelSession, its streaming state.
import { Embedding } from '../embedding.js';
import { RnnError } from '../errors.js';
import { disposeSymbol } from '../lifetime.js';
import { Linear } from '../linear.js';
import { LSTM, type RecurrentState } from '../recurrent.js';
import { Tensor } from '../tensor.js';
import { CELLS, checkOptions, withDefaults } from './config.js';
import { makeRandom, probabilitiesOf, rank, sampleFrom, type GenerateOptions, type SampleOptions } from './decoding.js';
import { Model, checkIds, embedSequence, makeLayer, type CellKind, type RecurrentLayer } from './model.js';

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

  constructor(config: LanguageModelConfig) {
    super();
    const c = languageModelConfig(config);
    if (c.tieWeights && c.hiddenSize !== c.embeddingDim) {
      throw new RnnError('argument', `LanguageModel: tieWeights needs hiddenSize (${c.hiddenSize}) == embeddingDim (${c.embeddingDim})`);
    }
    this.config = c;
    try {
      this.embedding = new Embedding({ numEmbeddings: c.vocabSize, embeddingDim: c.embeddingDim });
      this.parts.push(this.embedding);
      this.rnn = makeLayer(c.cell, { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: false });
      this.parts.push(this.rnn);
      this.decoder = new Linear({ inFeatures: c.hiddenSize, outFeatures: c.vocabSize });
      this.parts.push(this.decoder);
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** PyTorch names: embedding.weight, rnn.*, decoder.weight, decoder.bias (with tied weights decoder.weight may be absent). */
  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const dict = { ...stateDict };
    if (this.config.tieWeights && !dict['decoder.weight'] && dict['embedding.weight']) dict['decoder.weight'] = dict['embedding.weight'];
    this.loadParts(dict, [['embedding.', this.embedding], ['rnn.', this.rnn], ['decoder.', this.decoder]], options.strict ?? true);
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
