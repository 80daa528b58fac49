import { wasm } from './init.js';
import { Module, seedFor, toTensor } from './module.js';
import { unwrap } from './raw.js';
import { Tensor, checkTensor } from './tensor.js';

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Default true. */
  bias?: boolean;
  /** Seed of the initial weights; default: a process-wide counter. */
  seed?: number;
}

/**
 * torch.nn.Linear: `y = x Wᵀ + b` over the last dimension. State dict: `weight`, `bias`.
 *
 * @example
 * const lin = new Linear({ inFeatures: 8, outFeatures: 3 });
 * const y = lin.forward(new Tensor(new Float32Array(16), [2, 8])); // shape [2, 3]
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: boolean;

  constructor(options: LinearOptions) {
    const o = options ?? ({} as LinearOptions);
    super(unwrap(wasm()._linearNew(Number(o.inFeatures), Number(o.outFeatures), o.bias ?? true, seedFor(o.seed))));
    this.inFeatures = o.inFeatures;
    this.outFeatures = o.outFeatures;
    this.bias = o.bias ?? true;
  }

  get typeName(): string {
    return 'Linear';
  }

  /** x: `(*, inFeatures)` -> `(*, outFeatures)`. */
  forward(x: Tensor): Tensor {
    const handle = this.handle('forward');
    return toTensor(unwrap(wasm()._linearForward(handle, checkTensor(x, 'Linear.forward: input'))));
  }

  /**
   * Back through the last train-mode `forward`: `gradOutput` is dL/dy (y's shape). Adds
   * dL/dW = gradOutputᵀ x and dL/db to `gradients()`; returns dL/dx = gradOutput W. Once per forward.
   *
   * @example
   * lin.train(); const y = lin.forward(x); const { input } = lin.backward(gradY);
   */
  backward(gradOutput: Tensor): { input: Tensor } {
    const handle = this.handle('backward');
    return { input: toTensor(unwrap(wasm()._linearBackward(handle, checkTensor(gradOutput, 'Linear.backward: gradOutput')))) };
  }
}
