// Seq2Seq (many-to-many encoder-decoder, e.g. translation), with its config: the encoder's final
// states seed a greedy or beam-search decoder.
import { Embedding } from '../embedding.js';
import { Linear } from '../linear.js';
import { LSTM } from '../recurrent.js';
import type { Tensor } from '../tensor.js';
import { CELLS, checkOptions, withDefaults } from './config.js';
import { decode, type DecodeOptions, type Decoded } from './decoding.js';
import { Model, checkIds, embedSequence, makeLayer, type CellKind, type RecurrentLayer } from './model.js';

export interface Seq2SeqConfig {
  srcVocabSize: number;
  tgtVocabSize: number;
  embeddingDim: number;
  hiddenSize: number;
  /** 'gru' or 'lstm' (default), or 'rnn'. */
  cell?: CellKind;
  numLayers?: number;
}

export function seq2SeqConfig(config: Seq2SeqConfig): Required<Seq2SeqConfig> {
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
