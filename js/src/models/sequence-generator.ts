// SequenceGenerator (one-to-many: a feature vector -> a decoded sequence, e.g. a caption), with
// its config.
import { Embedding } from '../embedding.js';
import { Linear } from '../linear.js';
import { Tensor } from '../tensor.js';
import { CELLS, checkOptions, withDefaults } from './config.js';
import { decode, type DecodeOptions, type Decoded } from './decoding.js';
import { Model, makeLayer, type CellKind, type RecurrentLayer } from './model.js';

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
