// What every model shares: the Model base class (its parts, disposed together) and the helpers
// each model uses to build its recurrent layer and check and embed token ids.
import { relu, sigmoid, tanh } from '../activations.js';
import type { Embedding } from '../embedding.js';
import { RnnError } from '../errors.js';
import { disposeSymbol, type WasmObject } from '../lifetime.js';
import { GRU, LSTM, RNN } from '../recurrent.js';
import { Tensor, preview, quote } from '../tensor.js';

export type CellKind = 'rnn' | 'gru' | 'lstm';
/** Any of the three recurrent layers, as a model holds them. */
export type RecurrentLayer = RNN | GRU | LSTM;

/** What every model shares: the modules it is made of, disposed together. */
export abstract class Model {
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

export function makeLayer(cell: CellKind, options: { inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean }): RecurrentLayer {
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
export function checkIds(ids: ArrayLike<number>, where: string, vocabSize: number): number[] {
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
export function embedSequence(embedding: Embedding, text: number[]): Tensor {
  return new Tensor(embedding.forward(text).data, [1, text.length, embedding.embeddingDim]);
}

/** Row r of a (rows, cols) tensor. */
export const row = (t: Tensor, r: number, cols: number) => t.data.slice(r * cols, (r + 1) * cols);

export const ACTIVATIONS = { relu, tanh, sigmoid };
