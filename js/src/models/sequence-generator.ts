// SequenceGenerator (one-to-many: a feature vector -> a decoded sequence, e.g. a caption), with
// its config.
import { Embedding } from '../embedding.js';
import { RnnError } from '../errors.js';
import { Linear } from '../linear.js';
import type { Module } from '../module.js';
import { Tensor, checkTensor, preview } from '../tensor.js';
import { CELLS, checkOptions, withDefaults } from './config.js';
import { decode, type DecodeOptions, type Decoded } from './decoding.js';
import { Model, decoderLoss, makeLayer, seedsOf, type CellKind, type ModelOptions, type RecurrentLayer } from './model.js';

export interface SequenceGeneratorConfig {
  featureSize: number;
  vocabSize: number;
  embeddingDim: number;
  hiddenSize: number;
  cell?: CellKind;
  numLayers?: number;
}

export function sequenceGeneratorConfig(config: SequenceGeneratorConfig): Required<SequenceGeneratorConfig> {
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

  constructor(config: SequenceGeneratorConfig, options: ModelOptions = {}) {
    super();
    const seed = seedsOf(options, 'SequenceGenerator');
    const c = sequenceGeneratorConfig(config);
    this.config = c;
    try {
      const stateWidth = c.numLayers * c.hiddenSize;
      this.initH = this.own(new Linear({ inFeatures: c.featureSize, outFeatures: stateWidth, seed: seed() }));
      this.initC = c.cell === 'lstm' ? this.own(new Linear({ inFeatures: c.featureSize, outFeatures: stateWidth, seed: seed() })) : null;
      this.embedding = this.own(new Embedding({ numEmbeddings: c.vocabSize, embeddingDim: c.embeddingDim, seed: seed() }));
      this.decoder = this.own(makeLayer(c.cell, { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: false, seed: seed() }));
      this.output = this.own(new Linear({ inFeatures: c.hiddenSize, outFeatures: c.vocabSize, seed: seed() }));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** In the twin's registration order: init_h, init_c (LSTM), embedding, decoder, output. */
  protected named(): [string, Module][] {
    const parts: [string, Module][] = [['init_h.', this.initH]];
    if (this.initC) parts.push(['init_c.', this.initC]);
    return [...parts, ['embedding.', this.embedding], ['decoder.', this.decoder], ['output.', this.output]];
  }

  /** PyTorch names: init_h.*, init_c.* (LSTM), embedding.*, decoder.*, output.*. */
  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    this.loadParts(stateDict, this.named(), options.strict ?? true);
  }

  /**
   * The mean cross-entropy of the decoder, started from the states `features` map to and fed
   * `tgtIn` with teacher forcing, against `tgtOut` (shaped like `tgtIn`). `features` is one
   * vector (featureSize) with one sequence each, or a batch (batch, featureSize) as a Tensor or
   * number[][] with as many sequences. In train mode it also goes back through every part.
   *
   * @example
   * gen.train(); opt.zeroGrad();
   * const loss = gen.loss(features, [1, 7, 8], [7, 8, 2]);
   * opt.step();
   */
  loss(features: Tensor | ArrayLike<number> | ArrayLike<number>[], tgtIn: ArrayLike<number> | ArrayLike<number>[], tgtOut: ArrayLike<number> | ArrayLike<number>[]): number {
    this.check('loss');
    const c = this.config;
    const { x, single } = this.featureBatch(features);
    const B = x.shape[0], L = c.numLayers, H = c.hiddenSize;
    // init_h(features) is (B, L*H); the decoder takes (L, B, H), as the twin's view + transpose.
    const toState = (flat: Tensor) => {
      const out = new Float32Array(L * B * H);
      for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) out.set(flat.data.subarray((b * L + l) * H, (b * L + l + 1) * H), (l * B + b) * H);
      return new Tensor(out, [L, B, H]);
    };
    const fromState = (state: Tensor) => {
      const out = new Float32Array(B * L * H);
      for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) out.set(state.data.subarray((l * B + b) * H, (l * B + b + 1) * H), (b * L + l) * H);
      return new Tensor(out, [B, L * H]);
    };
    const inits = [this.initH, this.initC].filter((l): l is Linear => l !== null);
    const initial = inits.map((l) => toState(l.forward(x)));
    const decoder = { embedding: this.embedding, rnn: this.decoder, output: this.output };
    const { loss, gradState } = decoderLoss(decoder, tgtIn, tgtOut, initial, single, this.training, 'SequenceGenerator.loss');
    if (gradState) inits.forEach((l, i) => l.backward(fromState(gradState[i])));
    return loss;
  }

  /** Features as (batch, featureSize), and whether one vector was given. */
  private featureBatch(features: Tensor | ArrayLike<number> | ArrayLike<number>[]): { x: Tensor; single: boolean } {
    const F = this.config.featureSize;
    if (features instanceof Tensor) {
      const f = checkTensor(features, 'SequenceGenerator.loss: features');
      if (f.shape.length === 1 && f.shape[0] === F) return { x: new Tensor(f.data, [1, F]), single: true };
      if (f.shape.length === 2 && f.shape[1] === F) return { x: f, single: false };
      throw new RnnError('shape', `SequenceGenerator.loss: features have shape (${f.shape.join(', ')}), expected (${F}) or (batch, ${F})`);
    }
    const rows = Array.isArray(features) && features.length > 0 && typeof features[0] === 'object' ? (features as ArrayLike<number>[]) : null;
    const list = rows ?? [features as ArrayLike<number>];
    list.forEach((r, i) => {
      if (!r || r.length !== F || !Array.from(r).every((v) => typeof v === 'number')) {
        throw new RnnError('argument', `SequenceGenerator.loss: features ${rows ? `row ${i} ` : ''}must be ${F} numbers, got ${preview(r)}`);
      }
    });
    const data = new Float32Array(list.length * F);
    list.forEach((r, i) => data.set(Array.from(r), i * F));
    return { x: new Tensor(data, [list.length, F]), single: rows === null };
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
