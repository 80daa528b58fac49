// Seq2Seq (many-to-many encoder-decoder, e.g. translation), with its config: the encoder's final
// states seed a greedy or beam-search decoder.
import { Embedding } from '../embedding.js';
import { Linear } from '../linear.js';
import type { Module } from '../module.js';
import { LSTM } from '../recurrent.js';
import { Tensor } from '../tensor.js';
import { CELLS, checkOptions, withDefaults } from './config.js';
import { decode, type DecodeOptions, type Decoded } from './decoding.js';
import { Model, batchOf, checkIds, decoderLoss, embedSequence, makeLayer, seedsOf, type CellKind, type ModelOptions, type RecurrentLayer } from './model.js';

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

  constructor(config: Seq2SeqConfig, options: ModelOptions = {}) {
    super();
    const seed = seedsOf(options, 'Seq2Seq');
    const c = seq2SeqConfig(config);
    this.config = c;
    try {
      const layer = { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, bidirectional: false };
      this.encoderEmbedding = this.own(new Embedding({ numEmbeddings: c.srcVocabSize, embeddingDim: c.embeddingDim, seed: seed() }));
      this.encoder = this.own(makeLayer(c.cell, { ...layer, seed: seed() }));
      this.decoderEmbedding = this.own(new Embedding({ numEmbeddings: c.tgtVocabSize, embeddingDim: c.embeddingDim, seed: seed() }));
      this.decoder = this.own(makeLayer(c.cell, { ...layer, seed: seed() }));
      this.output = this.own(new Linear({ inFeatures: c.hiddenSize, outFeatures: c.tgtVocabSize, seed: seed() }));
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  protected named(): [string, Module][] {
    return [['encoder_embedding.', this.encoderEmbedding], ['encoder.', this.encoder], ['decoder_embedding.', this.decoderEmbedding],
      ['decoder.', this.decoder], ['output.', this.output]];
  }

  /** PyTorch names: encoder_embedding.*, encoder.*, decoder_embedding.*, decoder.*, output.*. */
  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    this.loadParts(stateDict, this.named(), options.strict ?? true);
  }

  /**
   * The mean cross-entropy of the decoder, fed `tgtIn` with teacher forcing from the encoder's
   * final states over `src`, against `tgtOut` (shaped like `tgtIn`; typically `tgtIn` starts
   * with BOS and `tgtOut` ends with EOS). One sentence each, or batches of different lengths.
   * In train mode it also goes back through decoder and encoder; in eval mode it only measures.
   *
   * @example
   * s2s.train(); opt.zeroGrad();
   * const loss = s2s.loss([[5, 9, 3]], [[1, 7, 8]], [[7, 8, 2]]);
   * opt.step();
   */
  loss(src: ArrayLike<number> | ArrayLike<number>[], tgtIn: ArrayLike<number> | ArrayLike<number>[], tgtOut: ArrayLike<number> | ArrayLike<number>[]): number {
    this.check('loss');
    const c = this.config;
    const batch = batchOf(src, 'Seq2Seq.loss: src', c.srcVocabSize, 0);
    const { batch: B, steps: S } = batch;
    const x = new Tensor(this.encoderEmbedding.forward(batch.ids).data, [B, S, c.embeddingDim]);
    const options = { lengths: batch.lengths };
    let encoded: Tensor, final: Tensor[];
    if (this.encoder instanceof LSTM) {
      const [out, [hN, cN]] = this.encoder.forward(x, null, options);
      [encoded, final] = [out, [hN, cN]];
    } else {
      const [out, hN] = this.encoder.forward(x, null, options);
      [encoded, final] = [out, [hN]];
    }
    const decoder = { embedding: this.decoderEmbedding, rnn: this.decoder, output: this.output };
    const { loss, gradState } = decoderLoss(decoder, tgtIn, tgtOut, final, batch.single, this.training, 'Seq2Seq.loss');
    if (!gradState) return loss;
    const gradOutput = Tensor.zeros(encoded.shape);
    const { input } = this.encoder instanceof LSTM ? this.encoder.backward(gradOutput, [gradState[0], gradState[1]]) : this.encoder.backward(gradOutput, gradState[0]);
    this.encoderEmbedding.backward(new Tensor(input.data, [B * S, c.embeddingDim]));
    return loss;
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
