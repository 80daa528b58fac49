// What every cell, layer and model shares: PyTorch's state_dict in and out.
import { RnnError } from './errors.js';
import { wasm } from './init.js';
import { WasmObject } from './lifetime.js';
import { unwrap, type RawTensor } from './raw.js';
import { Tensor, checkTensor } from './tensor.js';

/** A state dict: parameter names as PyTorch writes them, to tensors. */
export type StateDict = Record<string, Tensor> | Map<string, Tensor>;

export interface LoadOptions {
  /** Refuse missing and unexpected names (default true). Wrong shapes are refused either way. */
  strict?: boolean;
}

let nextSeed = 0;

/** The seed for a fresh module: the given one, else a process-wide counter (reproducible runs). */
export function seedFor(seed: number | undefined): number {
  if (seed === undefined) return nextSeed++;
  if (!Number.isInteger(seed) || seed < 0) throw new RnnError('argument', `seed must be a non-negative integer, got ${seed}`);
  return seed;
}

export abstract class Module extends WasmObject {
  /**
   * Copies parameters from a PyTorch-style state dict. Nothing changes unless every check passes.
   *
   * @example
   * cell.loadStateDict({ weight_ih, weight_hh, bias_ih, bias_hh }, { strict: true });
   */
  loadStateDict(stateDict: StateDict, options: LoadOptions = {}): void {
    const handle = this.handle('loadStateDict');
    if (stateDict === null || typeof stateDict !== 'object') {
      throw new RnnError('weights', `${this.typeName}.loadStateDict: expected a Record or Map of Tensors, got ${String(stateDict)}`);
    }
    const entries: [string, RawTensor][] = [];
    const pairs = stateDict instanceof Map ? [...stateDict.entries()] : Object.entries(stateDict);
    for (const [name, value] of pairs) {
      try {
        entries.push([name, checkTensor(value, `'${name}'`)]);
      } catch (e) {
        throw new RnnError('weights', `${this.typeName}.loadStateDict: ${(e as Error).message}`);
      }
    }
    unwrap(wasm()._moduleLoadStateDict(handle, entries, options.strict ?? true));
  }

  /**
   * A copy of every parameter, by PyTorch name.
   *
   * @example
   * const { weight, bias } = linear.stateDict();
   */
  stateDict(): Record<string, Tensor> {
    const entries = unwrap(wasm()._moduleStateDict(this.handle('stateDict')));
    return Object.fromEntries(entries.map(([name, t]) => [name, new Tensor(t.data, t.shape)]));
  }
}

/** A result from wasm as a Tensor. */
export function toTensor(raw: RawTensor): Tensor {
  return new Tensor(raw.data, raw.shape);
}
