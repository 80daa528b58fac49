// Models composed from layers, each the twin of a PyTorch module in python/rnn_wasm/models.py
// (same architecture, same state_dict names): TextClassifier (many-to-one) and LanguageModel
// (synchronous many-to-many, with a streaming session), Seq2Seq (encoder-decoder),
// SequenceGenerator (one-to-many) and Sequential (one-to-one). loadModel builds any from a file.
import { relu, sigmoid, softmax, tanh } from './activations.js';
import { Embedding } from './embedding.js';
import { RnnError } from './errors.js';
import { Linear } from './linear.js';
import { WasmObject, disposeSymbol } from './lifetime.js';
import { GRU, LSTM, RNN, RecurrentState } from './recurrent.js';
import { loadSafetensors } from './safetensors.js';
import { Tensor, preview, quote } from './tensor.js';

export type CellKind = 'rnn' | 'gru' | 'lstm';
/** Any of the three recurrent layers, as a model holds them. */
export type RecurrentLayer = RNN | GRU | LSTM;


/** What every model shares: the modules it is made of, disposed together. */
abstract class Model {
  abstract readonly kind: string;
  protected readonly parts: WasmObject[] = [];
  #disposed = false;

  /** Frees every module of the model. A second dispose() does nothing. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const part of this.parts) part.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }

  protected check(what: string): void {
    if (this.#disposed) throw new RnnError('disposed', `${this.kind}.${what}: this ${this.kind} was disposed`);
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
    if (strict && unexpected.length) {
      const named = unexpected.slice(0, 5).map((n) => quote(n)).join(', ');
      throw new RnnError('weights', `${this.kind}.loadStateDict (strict): unexpected ${named}${unexpected.length > 5 ? ` and ${unexpected.length - 5} more` : ''}`);
    }
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

function makeLayer(cell: CellKind, options: { inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean }): RecurrentLayer {
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
function checkIds(ids: ArrayLike<number>, where: string, vocabSize: number): number[] {
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
function embedSequence(embedding: Embedding, text: number[]): Tensor {
  return new Tensor(embedding.forward(text).data, [1, text.length, embedding.embeddingDim]);
}

// ---------------------------------------------------------------- configurations

// What each option of a model's config must be. Configs come from files (loadModel) as well as
// callers, so every option is checked before anything is allocated: a wrong type or size is
// RnnError 'argument' naming it (loadModel makes it 'weights'), never a TypeError or a NaN.
type OptionKind = 'size' | 'sizes' | 'boolean' | 'index' | 'list' | readonly string[];

const MAX_SIZE = 2 ** 31 - 1; // as cpp/tensor/shape.h's check_size
const isSize = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_SIZE;
const CELLS = ['rnn', 'gru', 'lstm'] as const;
const ACTIVATION_NAMES = ['relu', 'tanh', 'sigmoid'] as const;

function expectation(kind: OptionKind): string {
  if (kind === 'size') return 'a positive integer';
  if (kind === 'sizes') return 'an array of positive integers';
  if (kind === 'boolean') return 'true or false';
  if (kind === 'index') return 'an integer or null';
  if (kind === 'list') return 'an array';
  return kind.map((k) => `'${k}'`).join(', ').replace(/, ([^,]*)$/, ' or $1');
}

function isKind(kind: OptionKind, value: unknown): boolean {
  if (kind === 'size') return isSize(value);
  if (kind === 'sizes') return Array.isArray(value) && value.every(isSize);
  if (kind === 'boolean') return typeof value === 'boolean';
  if (kind === 'index') return value === null || (Number.isInteger(value) && Math.abs(value as number) <= MAX_SIZE);
  if (kind === 'list') return Array.isArray(value);
  return kind.includes(value as string);
}

/** Throws RnnError 'argument' unless `config` is an object of the known options, each of its kind. */
function checkOptions(owner: string, config: unknown, required: Record<string, OptionKind>, optional: Record<string, OptionKind> = {}): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new RnnError('argument', `${owner}: the config must be an object, got ${preview(config)}`);
  }
  for (const [key, kind] of Object.entries(required)) {
    if ((config as Record<string, unknown>)[key] === undefined) throw new RnnError('argument', `${owner}: the config needs '${key}' (${expectation(kind)})`);
  }
  for (const [key, value] of Object.entries(config)) {
    const kind = Object.hasOwn(required, key) ? required[key] : Object.hasOwn(optional, key) ? optional[key] : undefined;
    if (kind === undefined) {
      throw new RnnError('argument', `${owner}: unknown option ${preview(key)}; the options are ${[...Object.keys(required), ...Object.keys(optional)].join(', ')}`);
    }
    if (value !== undefined && !isKind(kind, value)) throw new RnnError('argument', `${owner}: ${key} must be ${expectation(kind)}, got ${preview(value)}`);
  }
}

/** The defaults, overridden by the options given (an option set to undefined keeps its default). */
function withDefaults<T extends object>(defaults: Partial<T>, config: T): Required<T> {
  return { ...defaults, ...Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) } as Required<T>;
}

/** Row r of a (rows, cols) tensor. */
const row = (t: Tensor, r: number, cols: number) => t.data.slice(r * cols, (r + 1) * cols);

// ---------------------------------------------------------------- TextClassifier

export interface TextClassifierConfig {
  vocabSize: number;
  embeddingDim: number;
  hiddenSize: number;
  numClasses: number;
  /** Default 'lstm'. */
  cell?: CellKind;
  numLayers?: number;
  bidirectional?: boolean;
  /** 'last' (each direction's state at the last valid step, concatenated), 'mean' or 'max' over valid steps. Default 'last'. */
  pooling?: 'last' | 'mean' | 'max';
  /** Sizes of the hidden Linear layers of the head, with `activation` between. Default []. */
  head?: number[];
  activation?: 'relu' | 'tanh' | 'sigmoid';
  paddingIdx?: number | null;
}

const ACTIVATIONS = { relu, tanh, sigmoid };

function textClassifierConfig(config: TextClassifierConfig): Required<TextClassifierConfig> {
  checkOptions('TextClassifier', config, { vocabSize: 'size', embeddingDim: 'size', hiddenSize: 'size', numClasses: 'size' },
    { cell: CELLS, numLayers: 'size', bidirectional: 'boolean', pooling: ['last', 'mean', 'max'], head: 'sizes', activation: ACTIVATION_NAMES, paddingIdx: 'index' });
  return withDefaults<TextClassifierConfig>({ cell: 'lstm', numLayers: 1, bidirectional: false, pooling: 'last', head: [], activation: 'relu', paddingIdx: 0 }, config);
}

/**
 * Many-to-one: Embedding -> RNN/GRU/LSTM -> pooling -> Linear head -> class probabilities.
 * Twin: `rnn_wasm.models.TextClassifier`.
 *
 * @example
 * const model = loadModel(bytes) as TextClassifier;
 * const [negative, positive] = model.predict([12, 7, 431]);
 */
export class TextClassifier extends Model {
  readonly kind = 'TextClassifier';
  readonly config: Required<TextClassifierConfig>;
  readonly embedding: Embedding;
  readonly rnn: RecurrentLayer;
  readonly head: Linear[];

  constructor(config: TextClassifierConfig) {
    super();
    const c = textClassifierConfig(config);
    this.config = c;
    try {
      this.embedding = new Embedding({ numEmbeddings: c.vocabSize, embeddingDim: c.embeddingDim, paddingIdx: c.paddingIdx });
      this.parts.push(this.embedding);
      this.rnn = makeLayer(c.cell, { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: c.bidirectional });
      this.parts.push(this.rnn);
      this.head = [];
      let width = c.hiddenSize * (c.bidirectional ? 2 : 1);
      for (const size of [...c.head, c.numClasses]) {
        const linear = new Linear({ inFeatures: width, outFeatures: size });
        this.head.push(linear);
        this.parts.push(linear);
        width = size;
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** PyTorch names: embedding.weight, rnn.*, head.{2i}.weight / .bias (Linear layers of the nn.Sequential head). */
  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    this.loadParts(stateDict, [['embedding.', this.embedding], ['rnn.', this.rnn], ...this.head.map((l, i) => [`head.${2 * i}.`, l] as [string, Linear])], options.strict ?? true);
  }

  /**
   * Class probabilities for one text (ids) or several of different lengths (ids[]).
   *
   * @example
   * const probs = model.predict(ids);            // Float32Array(numClasses)
   * const batch = model.predict([idsA, idsB]);   // Float32Array[]
   */
  predict(ids: ArrayLike<number>): Float32Array;
  predict(ids: ArrayLike<number>[]): Float32Array[];
  predict(ids: ArrayLike<number> | ArrayLike<number>[]): Float32Array | Float32Array[] {
    this.check('predict');
    const batch = Array.isArray(ids) && ids.length > 0 && typeof ids[0] === 'object';
    const texts = (batch ? (ids as ArrayLike<number>[]) : [ids as ArrayLike<number>]).map((t, i) => checkIds(t, `TextClassifier.predict: text ${i}`, this.config.vocabSize));
    const probs = softmax(this.applyHead(this.pool(texts)));
    const out = texts.map((_, b) => row(probs, b, this.config.numClasses));
    return batch ? out : out[0];
  }

  /**
   * Class probabilities after every token: entry t is what `predict(ids.slice(0, t + 1))` gives,
   * so a page can show how the prediction moves word by word.
   *
   * @example
   * model.trace(ids).forEach((p, t) => console.log(t, p[1]));
   */
  trace(ids: ArrayLike<number>): Float32Array[] {
    this.check('trace');
    const text = checkIds(ids, 'TextClassifier.trace', this.config.vocabSize);
    const c = this.config;
    if (c.bidirectional) return text.map((_, t) => this.predict(text.slice(0, t + 1)));
    // One direction: the pooled value after step t needs only outputs 0..t.
    const [output] = this.run([text]);
    const H = c.hiddenSize, T = text.length;
    const pooled = new Float32Array(T * H);
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < H; j++) {
        const v = output.data[t * H + j];
        const prev = pooled[(t - 1) * H + j];
        pooled[t * H + j] = t === 0 || c.pooling === 'last' ? v : c.pooling === 'mean' ? prev + (v - prev) / (t + 1) : Math.max(prev, v);
      }
    }
    const probs = softmax(this.applyHead(new Tensor(pooled, [T, H])));
    return text.map((_, t) => row(probs, t, c.numClasses));
  }

  /** Embeds and runs the recurrent layer over padded texts; returns [output (B, T, D*H), hN]. */
  private run(texts: number[][]): [Tensor, Tensor] {
    const T = Math.max(...texts.map((t) => t.length));
    const pad = this.embedding.paddingIdx ?? 0;
    const ids = new Array<number>(texts.length * T).fill(pad);
    texts.forEach((t, b) => t.forEach((id, j) => (ids[b * T + j] = id)));
    const x = new Tensor(this.embedding.forward(ids).data, [texts.length, T, this.config.embeddingDim]);
    const lengths = texts.map((t) => t.length);
    if (this.rnn instanceof LSTM) {
      const [output, [hN]] = this.rnn.forward(x, null, { lengths });
      return [output, hN];
    }
    return this.rnn.forward(x, null, { lengths });
  }

  /** (B, D*H): the pooled representation of each text. */
  private pool(texts: number[][]): Tensor {
    const c = this.config;
    const D = c.bidirectional ? 2 : 1, H = c.hiddenSize, B = texts.length;
    const [output, hN] = this.run(texts);
    const pooled = new Float32Array(B * D * H);
    if (c.pooling === 'last') {
      // hN (D*numLayers, B, H): the top layer's directions are its last D entries.
      for (let b = 0; b < B; b++) {
        for (let d = 0; d < D; d++) {
          const k = (c.numLayers - 1) * D + d;
          pooled.set(hN.data.subarray((k * B + b) * H, (k * B + b + 1) * H), (b * D + d) * H);
        }
      }
    } else {
      const T = output.shape[1], W = D * H;
      for (let b = 0; b < B; b++) {
        const n = texts[b].length;
        for (let j = 0; j < W; j++) {
          let acc = c.pooling === 'mean' ? 0 : -Infinity;
          for (let t = 0; t < n; t++) {
            const v = output.data[(b * T + t) * W + j];
            acc = c.pooling === 'mean' ? acc + v : Math.max(acc, v);
          }
          pooled[b * W + j] = c.pooling === 'mean' ? acc / n : acc;
        }
      }
    }
    return new Tensor(pooled, [B, D * H]);
  }

  private applyHead(x: Tensor): Tensor {
    let y = x;
    this.head.forEach((linear, i) => {
      y = linear.forward(y);
      if (i < this.head.length - 1) y = ACTIVATIONS[this.config.activation](y);
    });
    return y;
  }
}

// ---------------------------------------------------------------- LanguageModel

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

export interface SampleOptions {
  /** Divides the logits; below 1 sharper, above 1 flatter; 0 picks the most likely token. Default 1. */
  temperature?: number;
  /** Sample among the k most likely tokens only (0: all). */
  topK?: number;
  /** Sample among the smallest set of tokens whose probabilities reach topP (1: all). */
  topP?: number;
  /** Seed for a reproducible draw; without it, Math.random. */
  seed?: number;
  /** Token ids never to pick (e.g. <unk>, padding). */
  exclude?: ArrayLike<number>;
}

export interface GenerateOptions extends SampleOptions {
  /** Tokens to generate at most. Default 20. */
  maxTokens?: number;
  /** Stop after generating one of these (it is included in the result). */
  stopIds?: ArrayLike<number>;
}

function languageModelConfig(config: LanguageModelConfig): Required<LanguageModelConfig> {
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

function probabilitiesOf(logits: Float32Array, temperature: number): Float32Array {
  const scaled = temperature === 1 ? logits : logits.map((v) => v / temperature);
  return softmax(new Tensor(scaled, [scaled.length])).data;
}

/** Token ids by decreasing probability (ties: lower id first). */
function rank(p: Float32Array): number[] {
  return Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
}

function sampleFrom(logits: Float32Array, options: SampleOptions, random: () => number): number {
  const { temperature = 1, topK = 0, topP = 1 } = options;
  if (!(temperature >= 0)) throw new RnnError('argument', `sample: temperature must be >= 0, got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new RnnError('argument', `sample: topP must be in (0, 1], got ${topP}`);
  const excluded = new Set(Array.from(options.exclude ?? []));
  let ids = rank(probabilitiesOf(logits, 1)).filter((id) => !excluded.has(id));
  if (ids.length === 0) throw new RnnError('argument', 'sample: every token is excluded');
  if (temperature === 0) return ids[0];
  const p = probabilitiesOf(logits, temperature);
  if (topK > 0) ids = ids.slice(0, topK);
  if (topP < 1) {
    let mass = 0;
    const total = ids.reduce((s, id) => s + p[id], 0);
    const kept: number[] = [];
    for (const id of ids) {
      kept.push(id);
      mass += p[id] / total;
      if (mass >= topP) break;
    }
    ids = kept;
  }
  const total = ids.reduce((s, id) => s + p[id], 0);
  let r = random() * total;
  for (const id of ids) {
    r -= p[id];
    if (r < 0) return id;
  }
  return ids[ids.length - 1];
}

/** mulberry32 (Tommy Ettinger): a small, fast 32-bit generator, for reproducible draws. */
function makeRandom(seed: number | undefined): () => number {
  if (seed === undefined) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- decoding: Seq2Seq, SequenceGenerator

export interface DecodeOptions {
  /** Tokens to produce at most. Default 50. */
  maxLen?: number;
  /** The token the decoder starts from. */
  bosId: number;
  /** The token that ends a hypothesis (included in the result when produced). */
  eosId: number;
  /** 1: greedy. Default 1. */
  beamSize?: number;
  /** Hypotheses are ranked by logp / length^lengthPenalty. Default 1 (mean log-probability). */
  lengthPenalty?: number;
}

export interface Decoded {
  /** Token ids without bosId; eosId last when it was produced. */
  ids: number[];
  /** logp / length^lengthPenalty of this hypothesis (natural log). */
  score: number;
}

interface Decoder {
  embedding: Embedding;
  rnn: RecurrentLayer;
  output: Linear;
}

function logSoftmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let sum = 0;
  for (const v of logits) sum += Math.exp(v - max);
  const log = max + Math.log(sum);
  return Float64Array.from(logits, (v) => v - log);
}

/**
 * Greedy and beam search, the same algorithm as `decode` in python/rnn_wasm/models.py: each step
 * expands every beam by its beamSize most likely tokens (ties: lower id); candidates ranked by
 * summed log-probability are taken in order, those ending in eosId as finished, the rest live,
 * until beamSize live. It stops after maxLen steps, when no beam lives, or when beamSize have
 * finished; the best finished (else live) hypothesis by logp / length^lengthPenalty wins.
 * `initial` is not changed.
 */
function decode(decoder: Decoder, initial: RecurrentState, options: DecodeOptions, where: string): Decoded {
  const { maxLen = 50, beamSize = 1, lengthPenalty = 1, bosId, eosId } = options ?? ({} as DecodeOptions);
  if (!Number.isInteger(beamSize) || beamSize < 1) throw new RnnError('argument', `${where}: beamSize must be a positive integer, got ${beamSize}`);
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new RnnError('argument', `${where}: maxLen must be a positive integer, got ${maxLen}`);
  for (const [name, id] of [['bosId', bosId], ['eosId', eosId]] as const) {
    if (!Number.isInteger(id) || id < 0 || id >= decoder.output.outFeatures) {
      throw new RnnError('argument', `${where}: ${name} must be a token id in [0, ${decoder.output.outFeatures}), got ${id}`);
    }
  }
  type Hypothesis = { ids: number[]; logp: number; state: RecurrentState };
  let beams: Hypothesis[] = [{ ids: [], logp: 0, state: initial.clone() }];
  const finished: Omit<Hypothesis, 'state'>[] = [];
  try {
    for (let step = 0; step < maxLen; step++) {
      const candidates: { ids: number[]; logp: number; parent: Hypothesis }[] = [];
      for (const beam of beams) {
        const x = decoder.embedding.forward([beam.ids.length ? beam.ids[beam.ids.length - 1] : bosId]);
        const logprobs = logSoftmax(decoder.output.forward(decoder.rnn.step(x, beam.state)).data);
        const order = Array.from(logprobs.keys()).sort((a, b) => logprobs[b] - logprobs[a] || a - b).slice(0, beamSize);
        for (const t of order) candidates.push({ ids: [...beam.ids, t], logp: beam.logp + logprobs[t], parent: beam });
      }
      candidates.sort((a, b) => b.logp - a.logp); // stable: equal scores keep expansion order
      const live: Hypothesis[] = [];
      for (const c of candidates) {
        if (live.length === beamSize) break;
        if (c.ids[c.ids.length - 1] === eosId) finished.push(c);
        else live.push({ ids: c.ids, logp: c.logp, state: c.parent.state.clone() });
      }
      for (const beam of beams) beam.state.dispose();
      beams = live;
      if (beams.length === 0 || finished.length >= beamSize) break;
    }
    const pool = finished.length ? finished : beams;
    const scored = pool.map((h) => ({ ids: h.ids, score: h.logp / h.ids.length ** lengthPenalty }));
    return scored.reduce((best, h) => (h.score > best.score ? h : best));
  } finally {
    for (const beam of beams) beam.state.dispose();
  }
}

export interface Seq2SeqConfig {
  srcVocabSize: number;
  tgtVocabSize: number;
  embeddingDim: number;
  hiddenSize: number;
  /** 'gru' or 'lstm' (default), or 'rnn'. */
  cell?: CellKind;
  numLayers?: number;
}

function seq2SeqConfig(config: Seq2SeqConfig): Required<Seq2SeqConfig> {
  checkOptions('Seq2Seq', config, { srcVocabSize: 'size', tgtVocabSize: 'size', embeddingDim: 'size', hiddenSize: 'size' }, { cell: CELLS, numLayers: 'size' });
  return withDefaults<Seq2SeqConfig>({ cell: 'lstm', numLayers: 1 }, config);
}

/**
 * Many-to-many encoder-decoder (translation): the encoder's final states seed the decoder.
 * Twin: `rnn_wasm.models.Seq2Seq`.
 *
 * @example
 * const { ids, score } = model.translate(srcIds, { bosId: 1, eosId: 2, beamSize: 4, maxLen: 30 });
 */
export class Seq2Seq extends Model {
  readonly kind = 'Seq2Seq';
  readonly config: Required<Seq2SeqConfig>;
  readonly encoderEmbedding: Embedding;
  readonly encoder: RecurrentLayer;
  readonly decoderEmbedding: Embedding;
  readonly decoder: RecurrentLayer;
  readonly output: Linear;

  constructor(config: Seq2SeqConfig) {
    super();
    const c = seq2SeqConfig(config);
    this.config = c;
    try {
      const layer = { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: false };
      this.parts.push((this.encoderEmbedding = new Embedding({ numEmbeddings: c.srcVocabSize, embeddingDim: c.embeddingDim })));
      this.parts.push((this.encoder = makeLayer(c.cell, layer)));
      this.parts.push((this.decoderEmbedding = new Embedding({ numEmbeddings: c.tgtVocabSize, embeddingDim: c.embeddingDim })));
      this.parts.push((this.decoder = makeLayer(c.cell, layer)));
      this.parts.push((this.output = new Linear({ inFeatures: c.hiddenSize, outFeatures: c.tgtVocabSize })));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** PyTorch names: encoder_embedding.*, encoder.*, decoder_embedding.*, decoder.*, output.*. */
  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    this.loadParts(stateDict, [['encoder_embedding.', this.encoderEmbedding], ['encoder.', this.encoder], ['decoder_embedding.', this.decoderEmbedding],
      ['decoder.', this.decoder], ['output.', this.output]], options.strict ?? true);
  }

  /** Greedy (beamSize 1) or beam-search translation of one source sentence. */
  translate(srcIds: ArrayLike<number>, options: DecodeOptions): Decoded {
    this.check('translate');
    const src = checkIds(srcIds, 'Seq2Seq.translate', this.config.srcVocabSize);
    const x = embedSequence(this.encoderEmbedding, src);
    const final = this.encoder instanceof LSTM ? this.encoder.forward(x)[1] : [this.encoder.forward(x)[1]];
    const state = this.decoder.state();
    try {
      state.set(final);
      return decode({ embedding: this.decoderEmbedding, rnn: this.decoder, output: this.output }, state, options, 'Seq2Seq.translate');
    } finally {
      state.dispose();
    }
  }
}

export interface SequenceGeneratorConfig {
  featureSize: number;
  vocabSize: number;
  embeddingDim: number;
  hiddenSize: number;
  cell?: CellKind;
  numLayers?: number;
}

function sequenceGeneratorConfig(config: SequenceGeneratorConfig): Required<SequenceGeneratorConfig> {
  checkOptions('SequenceGenerator', config, { featureSize: 'size', vocabSize: 'size', embeddingDim: 'size', hiddenSize: 'size' }, { cell: CELLS, numLayers: 'size' });
  return withDefaults<SequenceGeneratorConfig>({ cell: 'lstm', numLayers: 1 }, config);
}

/**
 * One-to-many: a feature vector -> Linear -> the decoder's initial h (and c) -> a decoded
 * sequence (e.g. a caption from an image feature). Twin: `rnn_wasm.models.SequenceGenerator`.
 *
 * @example
 * const { ids } = model.generate(features, { bosId: 1, eosId: 2, maxLen: 20 });
 */
export class SequenceGenerator extends Model {
  readonly kind = 'SequenceGenerator';
  readonly config: Required<SequenceGeneratorConfig>;
  readonly initH: Linear;
  readonly initC: Linear | null;
  readonly embedding: Embedding;
  readonly decoder: RecurrentLayer;
  readonly output: Linear;

  constructor(config: SequenceGeneratorConfig) {
    super();
    const c = sequenceGeneratorConfig(config);
    this.config = c;
    try {
      const stateWidth = c.numLayers * c.hiddenSize;
      this.parts.push((this.initH = new Linear({ inFeatures: c.featureSize, outFeatures: stateWidth })));
      this.initC = c.cell === 'lstm' ? new Linear({ inFeatures: c.featureSize, outFeatures: stateWidth }) : null;
      if (this.initC) this.parts.push(this.initC);
      this.parts.push((this.embedding = new Embedding({ numEmbeddings: c.vocabSize, embeddingDim: c.embeddingDim })));
      this.parts.push((this.decoder = makeLayer(c.cell, { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: false })));
      this.parts.push((this.output = new Linear({ inFeatures: c.hiddenSize, outFeatures: c.vocabSize })));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** PyTorch names: init_h.*, init_c.* (LSTM), embedding.*, decoder.*, output.*. */
  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const targets: [string, Linear | Embedding | RecurrentLayer][] = [['init_h.', this.initH], ['embedding.', this.embedding], ['decoder.', this.decoder], ['output.', this.output]];
    if (this.initC) targets.push(['init_c.', this.initC]);
    this.loadParts(stateDict, targets, options.strict ?? true);
  }

  /** Greedy (beamSize 1) or beam-search decoding from a feature vector (featureSize). */
  generate(features: Tensor | ArrayLike<number>, options: DecodeOptions): Decoded {
    this.check('generate');
    const f = features instanceof Tensor ? features : new Tensor(Float32Array.from(features as ArrayLike<number>));
    const shape = [this.config.numLayers, 1, this.config.hiddenSize];
    const initial = [this.initH, this.initC].filter((l): l is Linear => l !== null).map((l) => new Tensor(l.forward(f).data, shape));
    const state = this.decoder.state();
    try {
      state.set(initial);
      return decode({ embedding: this.embedding, rnn: this.decoder, output: this.output }, state, options, 'SequenceGenerator.generate');
    } finally {
      state.dispose();
    }
  }
}

// ---------------------------------------------------------------- Sequential

export type SequentialLayer =
  | { type: 'linear'; inFeatures: number; outFeatures: number; bias?: boolean }
  | { type: 'relu' | 'tanh' | 'sigmoid' };

function checkSequentialConfig(config: { layers: SequentialLayer[] }): void {
  checkOptions('Sequential', config, { layers: 'list' });
  config.layers.forEach((spec, i) => {
    const type = (spec as { type?: unknown } | null)?.type;
    if (type === 'linear') checkOptions(`Sequential: layer ${i}`, spec, { type: ['linear'], inFeatures: 'size', outFeatures: 'size' }, { bias: 'boolean' });
    else if (ACTIVATION_NAMES.includes(type as 'relu')) checkOptions(`Sequential: layer ${i}`, spec, { type: ACTIVATION_NAMES });
    else throw new RnnError('argument', `Sequential: layer ${i} has type ${preview(type)}; supported: linear, relu, tanh, sigmoid`);
  });
}

/**
 * One-to-one: Linear layers and activations in order, as torch.nn.Sequential; state_dict names
 * are the layer indices ("0.weight", "2.bias"). Twin: `rnn_wasm.models.Sequential`.
 *
 * @example
 * const mlp = new Sequential({ layers: [{ type: 'linear', inFeatures: 4, outFeatures: 8 }, { type: 'relu' }, { type: 'linear', inFeatures: 8, outFeatures: 2 }] });
 * const y = mlp.forward(x);
 */
export class Sequential extends Model {
  readonly kind = 'Sequential';
  readonly config: { layers: SequentialLayer[] };
  readonly layers: (Linear | 'relu' | 'tanh' | 'sigmoid')[] = [];

  constructor(config: { layers: SequentialLayer[] }) {
    super();
    checkSequentialConfig(config);
    this.config = config;
    try {
      for (const spec of config.layers) {
        if (spec.type === 'linear') {
          const linear = new Linear({ inFeatures: spec.inFeatures, outFeatures: spec.outFeatures, bias: spec.bias ?? true });
          this.parts.push(linear);
          this.layers.push(linear);
        } else {
          this.layers.push(spec.type);
        }
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const targets = this.layers.flatMap((l, i) => (l instanceof Linear ? [[`${i}.`, l] as [string, Linear]] : []));
    this.loadParts(stateDict, targets, options.strict ?? true);
  }

  /** x: (*, inFeatures of the first Linear). */
  forward(x: Tensor): Tensor {
    this.check('forward');
    return this.layers.reduce((y, l) => (l instanceof Linear ? l.forward(y) : ACTIVATIONS[l](y)), x);
  }
}

// ---------------------------------------------------------------- model files

/** The model file format this version reads and the Python `export` writes. */
export const MODEL_FORMAT_VERSION = 1;

/**
 * Builds a model from a `.safetensors` file written by `rnn_wasm.models.export`: the
 * state_dict plus metadata naming the kind, its configuration and the format version.
 *
 * @example
 * const model = loadModel(await (await fetch('sentiment.safetensors')).arrayBuffer());
 */
export function loadModel(bytes: Uint8Array | ArrayBuffer): TextClassifier | LanguageModel | Seq2Seq | SequenceGenerator | Sequential {
  const { tensors, metadata } = loadSafetensors(bytes);
  const fail = (message: string): never => {
    throw new RnnError('weights', `loadModel: ${message}`);
  };
  if (metadata.format !== 'rnn-wasm') {
    fail(`not an rnn-wasm model file (metadata 'format' is ${preview(metadata.format)}, expected "rnn-wasm"); write it with rnn_wasm.models.export`);
  }
  const version = Number(metadata.formatVersion);
  if (!Number.isInteger(version) || version < 1) fail(`bad formatVersion ${preview(metadata.formatVersion)}`);
  if (version > MODEL_FORMAT_VERSION) fail(`the file has format version ${version}, newer than this rnn-wasm reads (${MODEL_FORMAT_VERSION}); update rnn-wasm`);
  let config: unknown;
  try {
    config = JSON.parse(metadata.config ?? '');
  } catch {
    fail("metadata 'config' is not valid JSON");
  }
  const kind = metadata.kind;
  if (!Object.hasOwn(MODEL_KINDS, kind)) fail(`unknown model kind ${preview(kind)}; this version reads ${Object.keys(MODEL_KINDS).join(', ')}`);
  const Kind = MODEL_KINDS[kind as ModelKind];
  let model: InstanceType<typeof Kind>;
  try {
    // The config is checked and its model's size compared with the file's tensors before any
    // allocation: a few bytes of config must not make the loader fill wasm memory. The exact
    // match is left to the strict load, whose message names the tensor.
    const wanted = parameterCount(kind as ModelKind, config);
    const held = Object.values(tensors).reduce((n, t) => n + t.size, 0);
    if (wanted > 2 * held) fail(`the config describes a ${kind} of ${wanted} parameters, but the file holds only ${held}`);
    model = new Kind(config as TextClassifierConfig & LanguageModelConfig & Seq2SeqConfig & SequenceGeneratorConfig & { layers: SequentialLayer[] });
  } catch (e) {
    if (e instanceof RnnError && e.code === 'argument') throw new RnnError('weights', `loadModel: config: ${e.message}`);
    throw e;
  }
  try {
    model.loadStateDict(tensors, { strict: true });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

const MODEL_KINDS = { TextClassifier, LanguageModel, Seq2Seq, SequenceGenerator, Sequential } as const;
type ModelKind = keyof typeof MODEL_KINDS;

const GATES = { rnn: 1, gru: 3, lstm: 4 } as const;

/** Parameters of an RNN/GRU/LSTM layer with biases and no projection, as PyTorch counts them. */
function recurrentParameters(cell: CellKind, inputSize: number, hiddenSize: number, numLayers: number, directions: number): number {
  const rows = GATES[cell] * hiddenSize;
  const perDirection = (width: number) => rows * (width + hiddenSize + 2); // weight_ih, weight_hh, two biases
  return directions * (perDirection(inputSize) + (numLayers - 1) * perDirection(directions * hiddenSize));
}

/** Parameters of a chain of Linear layers with biases: widths[0] -> widths[1] -> ... */
function linearParameters(widths: number[]): number {
  let n = 0;
  for (let i = 1; i < widths.length; i++) n += widths[i] * (widths[i - 1] + 1);
  return n;
}

/** How many parameters the model a config describes has (checking the config first). */
function parameterCount(kind: ModelKind, config: unknown): number {
  switch (kind) {
    case 'TextClassifier': {
      const c = textClassifierConfig(config as TextClassifierConfig);
      const D = c.bidirectional ? 2 : 1;
      return c.vocabSize * c.embeddingDim + recurrentParameters(c.cell, c.embeddingDim, c.hiddenSize, c.numLayers, D) +
        linearParameters([D * c.hiddenSize, ...c.head, c.numClasses]);
    }
    case 'LanguageModel': {
      const c = languageModelConfig(config as LanguageModelConfig);
      return c.vocabSize * c.embeddingDim + recurrentParameters(c.cell, c.embeddingDim, c.hiddenSize, c.numLayers, 1) + linearParameters([c.hiddenSize, c.vocabSize]);
    }
    case 'Seq2Seq': {
      const c = seq2SeqConfig(config as Seq2SeqConfig);
      return (c.srcVocabSize + c.tgtVocabSize) * c.embeddingDim + 2 * recurrentParameters(c.cell, c.embeddingDim, c.hiddenSize, c.numLayers, 1) +
        linearParameters([c.hiddenSize, c.tgtVocabSize]);
    }
    case 'SequenceGenerator': {
      const c = sequenceGeneratorConfig(config as SequenceGeneratorConfig);
      return (c.cell === 'lstm' ? 2 : 1) * linearParameters([c.featureSize, c.numLayers * c.hiddenSize]) + c.vocabSize * c.embeddingDim +
        recurrentParameters(c.cell, c.embeddingDim, c.hiddenSize, c.numLayers, 1) + linearParameters([c.hiddenSize, c.vocabSize]);
    }
    case 'Sequential': {
      checkSequentialConfig(config as { layers: SequentialLayer[] });
      return (config as { layers: SequentialLayer[] }).layers.reduce((n, l) =>
        n + (l.type === 'linear' ? l.outFeatures * (l.inFeatures + ((l.bias ?? true) ? 1 : 0)) : 0), 0);
    }
  }
}
