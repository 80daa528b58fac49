import { RnnError } from './errors.js';
import { wasm } from './init.js';
import { Module, seedFor, toTensor } from './module.js';
import { unwrap } from './raw.js';
import { Tensor, checkTensor, describe, preview } from './tensor.js';

export interface EmbeddingOptions {
  numEmbeddings: number;
  embeddingDim: number;
  /** Row that starts as zeros and gets no gradient (negative counts from the end); at inference it is an ordinary row. */
  paddingIdx?: number | null;
  /** Seed of the initial weights; default: a process-wide counter. */
  seed?: number;
}

/**
 * torch.nn.Embedding: looks up one row of `weight` per token id.
 *
 * @example
 * const emb = new Embedding({ numEmbeddings: 100, embeddingDim: 16, paddingIdx: 0 });
 * const vectors = emb.forward(new Int32Array([5, 7, 0])); // shape [3, 16]
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;

  constructor(options: EmbeddingOptions) {
    const o = options ?? ({} as EmbeddingOptions);
    const paddingIdx = o.paddingIdx ?? null;
    super(unwrap(wasm()._embeddingNew(Number(o.numEmbeddings), Number(o.embeddingDim), paddingIdx === null ? null : Number(paddingIdx), seedFor(o.seed))));
    this.numEmbeddings = o.numEmbeddings;
    this.embeddingDim = o.embeddingDim;
    this.paddingIdx = paddingIdx === null || paddingIdx >= 0 ? paddingIdx : paddingIdx + o.numEmbeddings;
  }

  get typeName(): string {
    return 'Embedding';
  }

  /**
   * ids: an Int32Array or number[] (shape `(n)`), or a Tensor of integer values of any shape.
   * Returns `(*ids.shape, embeddingDim)`. Ids outside `[0, numEmbeddings)` or not integers
   * raise RnnError 'argument'.
   */
  forward(ids: Int32Array | readonly number[] | Tensor): Tensor {
    const handle = this.handle('forward');
    if (ids instanceof Tensor) {
      const checked = checkTensor(ids, 'Embedding.forward: ids');
      return toTensor(unwrap(wasm()._embeddingForward(handle, checked.data, checked.shape)));
    }
    if (ids instanceof Int32Array || Array.isArray(ids)) {
      // Numbers only: a BigInt or Symbol would make the conversion to double throw a TypeError.
      const at = Array.isArray(ids) ? ids.findIndex((id) => typeof id !== 'number') : -1;
      if (at >= 0) throw new RnnError('argument', `Embedding.forward: token id ${preview(ids[at])} at position ${at} is not a number`);
      return toTensor(unwrap(wasm()._embeddingForward(handle, ids, [ids.length])));
    }
    throw new RnnError('argument', `Embedding.forward: ids must be an Int32Array, number[] or Tensor, got ${describe(ids)}`);
  }

  /**
   * Back through the last train-mode `forward`: `gradOutput` (the output's shape) is added,
   * row by row, to the gradient of each id's row of `weight`; the `paddingIdx` row gets none,
   * as in PyTorch. Ids have no gradient, so `input` is null. Once per forward.
   *
   * @example
   * emb.train(); const v = emb.forward([5, 7]); emb.backward(gradV);
   */
  backward(gradOutput: Tensor): { input: null } {
    const handle = this.handle('backward');
    unwrap(wasm()._embeddingBackward(handle, checkTensor(gradOutput, 'Embedding.backward: gradOutput')));
    return { input: null };
  }
}
