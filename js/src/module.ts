// What every cell, layer and activation module shares: PyTorch's state_dict in and out, and
// training: train()/eval(), gradients, freezing. Models compose modules and offer the same
// surface (Trainable), so that optimizers and clipGradNorm take either.
import { RnnError } from './errors.js';
import { wasm } from './init.js';
import { WasmObject } from './lifetime.js';
import { unwrap, type RawTensor } from './raw.js';
import { Tensor, checkTensor, preview } from './tensor.js';

/** A state dict: parameter names as PyTorch writes them, to tensors. */
export type StateDict = Record<string, Tensor> | Map<string, Tensor>;

export interface LoadOptions {
  /** Refuse missing and unexpected names (default true). Wrong shapes are refused either way. */
  strict?: boolean;
}

/**
 * What optimizers, `clipGradNorm` and training loops work with: a module (cell, layer, `Linear`,
 * `Embedding`, activation) or a model. Names are the keys of `stateDict()`.
 */
export interface Trainable {
  /** True in train mode (see `train()`). */
  readonly training: boolean;
  /** Train mode: forward keeps what backward needs (and dropout applies). Returns this. */
  train(mode?: boolean): this;
  /** Eval mode (the default): forward keeps nothing. Returns this. */
  eval(): this;
  /** Sets every gradient to zero. */
  zeroGrad(): void;
  /** The accumulated gradient of every parameter, keyed exactly like `stateDict()`. */
  gradients(): Record<string, Tensor>;
  /** A copy of every parameter, by PyTorch name, in PyTorch's order. */
  stateDict(): Record<string, Tensor>;
  /** Parameters named, or whose names start with, `names` get no gradient and are not updated. */
  freeze(names: string | readonly string[]): void;
  /** Undoes `freeze` for those names or prefixes. */
  unfreeze(names: string | readonly string[]): void;
  /** @internal Where each parameter lives in wasm, in `stateDict()` order. */
  parameterRefs(): ParameterRef[];
}

/** @internal A parameter as optimizers reach it: its name, shape, whether it is frozen, the module holding it, its name there, and tied copies. */
export interface ParameterRef {
  name: string;
  shape: number[];
  /** Frozen by `freeze`: no gradient, no update. */
  frozen: boolean;
  module: Module;
  slot: string;
  mirrors: { module: Module; slot: string }[];
}

/** The names of a freeze/unfreeze call as an array of strings, or RnnError 'argument'. */
export function patternsOf(names: unknown, where: string): string[] {
  const list = typeof names === 'string' ? [names] : names;
  if (!Array.isArray(list) || !list.every((n) => typeof n === 'string')) {
    throw new RnnError('argument', `${where}: expected a parameter name or prefix, or an array of them, got ${preview(names)}`);
  }
  return list;
}

/** The one quantized dtype: 'int8'. RnnError 'argument' naming `owner` otherwise. */
export function checkDtype(dtype: unknown, owner: string): void {
  if (dtype !== 'int8') throw new RnnError('argument', `${owner}: dtype must be 'int8', got ${preview(dtype)}`);
}

let nextSeed = 0;

/** The seed for a fresh module: the given one, else a process-wide counter (reproducible runs). */
export function seedFor(seed: number | undefined): number {
  if (seed === undefined) return nextSeed++;
  if (!Number.isInteger(seed) || seed < 0) throw new RnnError('argument', `seed must be a non-negative integer, got ${seed}`);
  return seed;
}

export abstract class Module extends WasmObject implements Trainable {
  #training = false;

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

  /** True in train mode (see `train()`). */
  get training(): boolean {
    return this.#training;
  }

  /**
   * Keeps the weight matrices (an Embedding's too) as int8 from now on, with one float32 scale per row
   * (docs/int8.md): a quarter of their bytes in memory, and the matrix products read int8.
   * Biases, activations and sums stay float32. For inference: `train()` and optimizers are
   * then refused; `stateDict()` gives the dequantized float32 weights, and `loadStateDict`
   * quantizes what it loads. Call it in eval mode. Returns this.
   *
   * @example
   * const lstm = new LSTM({ inputSize: 64, hiddenSize: 256 }).quantize('int8');
   */
  quantize(dtype: 'int8'): this {
    checkDtype(dtype, `${this.typeName}.quantize`);
    const handle = this.handle('quantize');
    if (this.#training) throw new RnnError('argument', `${this.typeName}.quantize: call it in eval mode (int8 is for inference)`);
    unwrap(wasm()._moduleQuantize(handle));
    return this;
  }

  /** @internal One weight matrix from an int8 file (checked by loadModel); the module becomes int8. */
  loadInt8(name: string, q: Int8Array, shape: readonly number[], scales: Float32Array): void {
    unwrap(wasm()._moduleLoadInt8(this.handle('loadModel'), name, q, shape[0], shape[1], scales));
  }

  /**
   * Train mode (`mode` true, the default) or eval mode. In train mode `forward` keeps what
   * `backward` needs, in wasm, until that backward; eval mode (the default) keeps nothing and
   * costs nothing extra. Gradients are kept in either mode. Returns this.
   *
   * @example
   * lstm.train(); const [out] = lstm.forward(x); lstm.backward(gradOut); lstm.eval();
   */
  train(mode = true): this {
    unwrap(wasm()._moduleTrain(this.handle('train'), Boolean(mode)));
    this.#training = Boolean(mode);
    return this;
  }

  /** Eval mode, `train(false)`. Returns this. @example model.eval(); */
  eval(): this {
    return this.train(false);
  }

  /** Sets every gradient to zero (as PyTorch's `zero_grad(set_to_none=False)`). @example linear.zeroGrad(); */
  zeroGrad(): void {
    unwrap(wasm()._moduleZeroGrad(this.handle('zeroGrad')));
  }

  /**
   * The gradient of every parameter, accumulated by `backward` since the last `zeroGrad()`,
   * keyed exactly like `stateDict()`; zeros for a parameter no backward reached, or frozen.
   *
   * @example
   * const { weight, bias } = linear.gradients();
   */
  gradients(): Record<string, Tensor> {
    const entries = unwrap(wasm()._moduleGradients(this.handle('gradients')));
    return Object.fromEntries(entries.map(([name, t]) => [name, new Tensor(t.data, t.shape)]));
  }

  /**
   * Freezes every parameter named `names`, or whose name starts with one of them: it gets no
   * gradient (its gradient is dropped) and optimizers leave it as it is. A name or prefix that
   * matches no parameter is RnnError 'argument', and then nothing changes.
   *
   * @example
   * lstm.freeze('weight_ih'); // every layer's input weights
   */
  freeze(names: string | readonly string[]): void {
    unwrap(wasm()._moduleSetFrozen(this.handle('freeze'), patternsOf(names, `${this.typeName}.freeze`), true));
  }

  /** Undoes `freeze` for those names or prefixes. @example lstm.unfreeze(['weight_ih_l0']); */
  unfreeze(names: string | readonly string[]): void {
    unwrap(wasm()._moduleSetFrozen(this.handle('unfreeze'), patternsOf(names, `${this.typeName}.unfreeze`), false));
  }

  /** @internal */
  parameterRefs(): ParameterRef[] {
    return unwrap(wasm()._moduleParameters(this.handle('parameters'))).map(([name, frozen, shape]) => ({ name, shape, frozen, module: this, slot: name, mirrors: [] }));
  }
}

/** A result from wasm as a Tensor. */
export function toTensor(raw: RawTensor): Tensor {
  return new Tensor(raw.data, raw.shape);
}
