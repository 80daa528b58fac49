// TextClassifier (many-to-one): Embedding -> RNN/GRU/LSTM -> pooling -> Linear head, with
// its config, and its loss (forward and backward through every part).
import { softmax, type ReLU, type Sigmoid, type Tanh } from '../activations.js';
import { Embedding } from '../embedding.js';
import { RnnError } from '../errors.js';
import { wasm } from '../init.js';
import { Linear } from '../linear.js';
import { crossEntropy } from '../losses.js';
import { toTensor, type Module } from '../module.js';
import { unwrap } from '../raw.js';
import { LSTM } from '../recurrent.js';
import { Tensor, preview } from '../tensor.js';
import { ACTIVATION_NAMES, CELLS, checkOptions, withDefaults } from './config.js';
import { Model, batchOf, checkIds, makeActivation, makeLayer, row, seedsOf, type CellKind, type ModelOptions, type RecurrentLayer } from './model.js';

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

export function textClassifierConfig(config: TextClassifierConfig): Required<TextClassifierConfig> {
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
  /** The activations between the head's Linear layers. */
  readonly #activations: (ReLU | Tanh | Sigmoid)[] = [];

  constructor(config: TextClassifierConfig, options: ModelOptions = {}) {
    super();
    const seed = seedsOf(options, 'TextClassifier');
    const c = textClassifierConfig(config);
    this.config = c;
    try {
      this.embedding = this.own(new Embedding({ numEmbeddings: c.vocabSize, embeddingDim: c.embeddingDim, paddingIdx: c.paddingIdx, seed: seed() }));
      this.rnn = this.own(makeLayer(c.cell, { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: c.bidirectional, seed: seed() }));
      this.head = [];
      let width = c.hiddenSize * (c.bidirectional ? 2 : 1);
      for (const size of [...c.head, c.numClasses]) {
        if (this.head.length) this.#activations.push(this.own(makeActivation(c.activation)));
        this.head.push(this.own(new Linear({ inFeatures: width, outFeatures: size, seed: seed() })));
        width = size;
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  protected named(): [string, Module][] {
    return [['embedding.', this.embedding], ['rnn.', this.rnn], ...this.head.map((l, i) => [`head.${2 * i}.`, l] as [string, Module])];
  }

  /** PyTorch names: embedding.weight, rnn.*, head.{2i}.weight / .bias (Linear layers of the nn.Sequential head). */
  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    this.loadParts(stateDict, this.named(), options.strict ?? true);
  }

  /**
   * The mean cross-entropy of the classes predicted for `ids` (one text, or a batch of texts of
   * different lengths) against `labels` (one class id per text), as the twin's `loss` computes
   * it. In train mode it also goes back through every part, adding to the gradients; in eval
   * mode it only measures. Returns the loss.
   *
   * @example
   * model.train(); opt.zeroGrad();
   * const loss = model.loss([[12, 7, 431], [5, 9]], [1, 0]);
   * opt.step();
   */
  loss(ids: ArrayLike<number> | ArrayLike<number>[], labels: number | ArrayLike<number>): number {
    this.check('loss');
    const c = this.config;
    const batch = batchOf(ids, 'TextClassifier.loss', c.vocabSize, c.paddingIdx ?? 0);
    const targets = typeof labels === 'number' ? [labels] : labels !== null && typeof labels === 'object' ? Array.from(labels) : [];
    if (targets.length !== batch.batch) {
      throw new RnnError('argument', `TextClassifier.loss: ${batch.batch} ${batch.single ? 'text' : 'texts'} but ${preview(labels)} as labels; expected one class id per text`);
    }
    targets.forEach((label, i) => {
      if (!(Number.isInteger(label) && label >= 0 && label < c.numClasses)) {
        throw new RnnError('argument', `TextClassifier.loss: label ${preview(label)} of text ${i} is not a class id in [0, ${c.numClasses})`);
      }
    });
    const [output, hN] = this.run(batch.texts);
    const D = c.bidirectional ? 2 : 1;
    const pooled = toTensor(unwrap(wasm()._pool(c.pooling, output, hN, D, batch.lengths)));
    const { loss, grad } = crossEntropy(this.applyHead(pooled), targets);
    if (!this.training) return loss;
    let g = grad;
    for (let i = this.head.length - 1; i >= 0; i--) {
      g = this.head[i].backward(g).input;
      if (i > 0) g = this.#activations[i - 1].backward(g).input;
    }
    const [gradOutput, gradHN] = unwrap(wasm()._poolBackward(c.pooling, output, hN, D, batch.lengths, g));
    const { input } = this.rnn instanceof LSTM ? this.rnn.backward(toTensor(gradOutput), [toTensor(gradHN), null])
      : this.rnn.backward(toTensor(gradOutput), toTensor(gradHN));
    this.embedding.backward(new Tensor(input.data, [batch.batch * batch.steps, c.embeddingDim]));
    return loss;
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

  /** (B, D*H): the pooled representation of each text (cpp/layers/pooling.h). */
  private pool(texts: number[][]): Tensor {
    const c = this.config;
    const [output, hN] = this.run(texts);
    return toTensor(unwrap(wasm()._pool(c.pooling, output, hN, c.bidirectional ? 2 : 1, texts.map((t) => t.length))));
  }

  private applyHead(x: Tensor): Tensor {
    let y = x;
    this.head.forEach((linear, i) => {
      if (i > 0) y = this.#activations[i - 1].forward(y);
      y = linear.forward(y);
    });
    return y;
  }
}
