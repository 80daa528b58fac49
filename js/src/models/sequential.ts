// Sequential (one-to-one): Linear layers and activations in order, as torch.nn.Sequential, with
// its layer specs and their check.
import { RnnError } from '../errors.js';
import { Linear } from '../linear.js';
import { preview, type Tensor } from '../tensor.js';
import { ACTIVATION_NAMES, checkOptions } from './config.js';
import { ACTIVATIONS, Model } from './model.js';

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
  readonly layers: (Linear | 'relu' | 'tanh' | 'sigmoid')[] = [];

  constructor(config: { layers: SequentialLayer[] }) {
    super();
    checkSequentialConfig(config);
    this.config = config;
    try {
      for (const spec of config.layers) {
        if (spec.type === 'linear') {
          const linear = new Linear({ inFeatures: spec.inFeatures, outFeatures: spec.outFeatures, bias: spec.bias ?? true });
          this.parts.push(linear);
          this.layers.push(linear);
        } else {
          this.layers.push(spec.type);
        }
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  loadStateDict(stateDict: Record<string, Tensor>, options: { strict?: boolean } = {}): void {
    const targets = this.layers.flatMap((l, i) => (l instanceof Linear ? [[`${i}.`, l] as [string, Linear]] : []));
    this.loadParts(stateDict, targets, options.strict ?? true);
  }

  /** x: (*, inFeatures of the first Linear). */
  forward(x: Tensor): Tensor {
    this.check('forward');
    return this.layers.reduce((y, l) => (l instanceof Linear ? l.forward(y) : ACTIVATIONS[l](y)), x);
  }
}
