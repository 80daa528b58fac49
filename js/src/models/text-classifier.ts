// TextClassifier (many-to-one): Embedding -> RNN/GRU/LSTM -> pooling -> Linear head, with
// its config.
import { softmax } from '../activations.js';
import { Embedding } from '../embedding.js';
import { Linear } from '../linear.js';
import { LSTM } from '../recurrent.js';
import { Tensor } from '../tensor.js';
import { ACTIVATION_NAMES, CELLS, checkOptions, withDefaults } from './config.js';
import { ACTIVATIONS, Model, checkIds, makeLayer, row, type CellKind, type RecurrentLayer } from './model.js';

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
