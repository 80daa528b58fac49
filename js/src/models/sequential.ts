// Sequential (one-to-one): Linear layers and activations in order, as torch.nn.Sequential, with
// its layer specs and their check.
import type { ReLU, Sigmoid, Tanh } from '../activations.js';
import { RnnError } from '../errors.js';
import { Linear } from '../linear.js';
import { crossEntropy, mseLoss, numbers } from '../losses.js';
import type { Module } from '../module.js';
import { Tensor, preview } from '../tensor.js';
import { ACTIVATION_NAMES, checkOptions } from './config.js';
import { Model, makeActivation, seedsOf, type ModelOptions } from './model.js';

export type SequentialLayer =
  | { type: 'linear'; inFeatures: number; outFeatures: number; bias?: boolean }
  | { type: 'relu' | 'tanh' | 'sigmoid' };

export function checkSequentialConfig(config: { layers: SequentialLayer[] }): void {
  checkOptions('Sequential', config, { layers: 'list' });
  config.layers.forEach((spec, i) => {
    const type = (spec as { type?: unknown } | null)?.type;
    if (type === 'linear') checkOptions(`Sequential: layer ${i}`, spec, { type: ['linear'], inFeatures: 'size', outFeatures: 'size' }, { bias: 'boolean' });
    else if (ACTIVATION_NAMES.includes(type as 'relu')) checkOptions(`Sequential: layer ${i}`, spec, { type: ACTIVATION_NAMES });
    else throw new RnnError('argument', `Sequential: layer ${i} has type ${preview(type)}; supported: linear, relu, tanh, sigmoid`);
  });
}

/**
 * One-to-one: Linear layers and activations in order, as torch.nn.Sequential; state_dict names
 * are the layer indices ("0.weight", "2.bias"). Twin: `rnn_wasm.models.Sequential`.
 *
 * @example
 * const mlp = new Sequential({ layers: [{ type: 'linear', inFeatures: 4, outFeatures: 8 }, { type: 'relu' }, { type: 'linear', inFeatures: 8, outFeatures: 2 }] });
 * const y = mlp.forward(x);
 */
export class Sequential extends Model {
  readonly kind = 'Sequential';
  readonly config: { layers: SequentialLayer[] };
  readonly layers: (Linear | ReLU | Tanh | Sigmoid)[] = [];

  constructor(config: { layers: SequentialLayer[] }, options: ModelOptions = {}) {
    super();
    const seed = seedsOf(options, 'Sequential');
    checkSequentialConfig(config);
    this.config = config;
    try {
      for (const spec of config.layers) {
        this.layers.push(this.own(spec.type === 'linear'
          ? new Linear({ inFeatures: spec.inFeatures, outFeatures: spec.outFeatures, bias: spec.bias ?? true, seed: seed() })
          : makeActivation(spec.type)));
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  protected named(): [string, Module][] {
    return this.layers.flatMap((l, i) => (l instanceof Linear ? [[`${i}.`, l] as [string, Module]] : []));
  }

  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    this.loadParts(stateDict, this.named(), options.strict ?? true);
  }

  /** x: (*, inFeatures of the first Linear). */
  forward(x: Tensor): Tensor {
    this.check('forward');
    return this.layers.reduce((y, l) => l.forward(y), x);
  }

  /**
   * The loss of `forward(x)` against `targets`: class ids (an array or Int32Array, one per row
   * of a (N, C) output) give the mean cross-entropy; a Tensor of the output's shape gives the
   * mean squared error. In train mode it also goes back through every layer. Returns the loss.
   *
   * @example
   * mlp.train(); opt.zeroGrad();
   * const loss = mlp.loss(x, [0, 2, 1]);
   * opt.step();
   */
  loss(x: Tensor, targets: ArrayLike<number> | Tensor): number {
    const y = this.forward(x);
    const { loss, grad } = targets instanceof Tensor ? mseLoss(y, targets) : crossEntropy(y, numbers(targets, 'Sequential.loss: targets'));
    if (!this.training) return loss;
    this.layers.reduceRight((g, l) => l.backward(g).input, grad);
    return loss;
  }
}
