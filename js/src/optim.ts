// torch.optim in wasm: SGD, Adam and AdamW with PyTorch 1.13's update rules (cpp/optim/), and
// clip_grad_norm_. Parameters, gradients and optimizer state stay in wasm; a step is one call.
import { RnnError } from './errors.js';
import { wasm } from './init.js';
import { WasmObject } from './lifetime.js';
import type { ParameterRef, Trainable } from './module.js';
import { unwrap, type Handle, type RawTarget } from './raw.js';
import { Tensor, checkTensor, preview } from './tensor.js';

/**
 * An optimizer's state in PyTorch's layout: per parameter (numbered in `stateDict()` order),
 * PyTorch's names (`step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`, `momentum_buffer`), and
 * the hyperparameters in `param_groups`, with PyTorch's keys.
 */
export interface OptimizerStateDict {
  state: Record<number, Record<string, Tensor | number>>;
  param_groups: Record<string, unknown>[];
}

/** The wasm targets for `module`'s parameters, after checking it can be trained. */
function targetsOf(module: Trainable, owner: string): { refs: ParameterRef[]; targets: RawTarget[] } {
  if (module === null || typeof module !== 'object' || typeof (module as Partial<Trainable>).parameterRefs !== 'function') {
    throw new RnnError('argument', `${owner}: expected a module or model to train, got ${preview(module)}`);
  }
  const refs = module.parameterRefs();
  const targets = refs.map((r): RawTarget => [r.module.rawHandle(owner), r.slot, r.mirrors.map((m): [Handle, string] => [m.module.rawHandle(owner), m.slot]), r.name]);
  return { refs, targets };
}

function number(value: unknown, name: string, owner: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number') throw new RnnError('argument', `${owner}: ${name} must be a number, got ${preview(value)}`);
  return value;
}

/** What SGD, Adam and AdamW share: the parameters they update, step, zeroGrad, lr, state. */
export abstract class Optimizer extends WasmObject {
  /** The module or model whose parameters this optimizer updates. */
  readonly module: Trainable;
  readonly #refs: ParameterRef[];

  /** @internal Made by SGD, Adam and AdamW. */
  protected constructor(handle: Handle, module: Trainable, refs: ParameterRef[]) {
    super(handle);
    this.module = module;
    this.#refs = refs;
  }

  /** The learning rate; set it to change the rate of later steps (a schedule). */
  get lr(): number {
    return this.group().lr as number;
  }

  set lr(value: number) {
    unwrap(wasm()._optimizerSetLr(this.handle('lr'), number(value, 'lr', this.typeName)));
    this.setLr(value);
  }

  /**
   * Updates every parameter that has a gradient and is not frozen, in one call into wasm, and
   * refreshes the modules' packed weights. A gradient holding NaN or ±Infinity is RnnError
   * 'argument' (PyTorch's `error_if_nonfinite`), and then no weight changes.
   *
   * @example
   * opt.zeroGrad(); model.loss(ids, labels); opt.step();
   */
  step(): void {
    const handle = this.handle('step');
    this.checkModules('step');
    unwrap(wasm()._optimizerStep(handle));
  }

  /** Sets the gradients of this optimizer's parameters to zero. @example opt.zeroGrad(); */
  zeroGrad(): void {
    const handle = this.handle('zeroGrad');
    this.checkModules('zeroGrad');
    unwrap(wasm()._optimizerZeroGrad(handle));
  }

  /**
   * The state in PyTorch's layout (see `OptimizerStateDict`): a copy.
   *
   * @example
   * const saved = opt.stateDict(); // later: opt.loadStateDict(saved)
   */
  stateDict(): OptimizerStateDict {
    const handle = this.handle('stateDict');
    const names = unwrap(wasm()._optimizerStateNames(handle));
    const state: Record<number, Record<string, Tensor | number>> = {};
    this.#refs.forEach((ref, i) => {
      const entries: Record<string, Tensor | number> = {};
      for (const name of names) {
        const values = unwrap(wasm()._optimizerGetState(handle, i, name));
        if (values) entries[name] = name === 'step' ? values.data[0] : new Tensor(values.data, ref.shape);
      }
      if (Object.keys(entries).length) state[i] = entries;
    });
    return { state, param_groups: [{ ...this.group(), params: this.#refs.map((_, i) => i) }] };
  }

  /**
   * Restores a state from `stateDict()` (here or from PyTorch, in its layout): every
   * parameter's state, and `lr`. The other hyperparameters must equal this optimizer's. Checked
   * in full first: a state that does not fit is RnnError 'weights', and nothing changes.
   *
   * @example
   * opt.loadStateDict(saved);
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const handle = this.handle('loadStateDict');
    const owner = `${this.typeName}.loadStateDict`;
    const fail = (message: string): never => {
      throw new RnnError('weights', `${owner}: ${message}`);
    };
    if (dict === null || typeof dict !== 'object' || dict.state === null || typeof dict.state !== 'object') fail('expected { state, param_groups }');
    const names = unwrap(wasm()._optimizerStateNames(handle));
    const loaded: [number, string, Float32Array][] = [];
    for (const [key, entries] of Object.entries(dict.state)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= this.#refs.length) fail(`state for parameter ${preview(key)}, but there are ${this.#refs.length} (numbered from 0 in stateDict() order)`);
      if (entries === null || typeof entries !== 'object') fail(`parameter ${i}'s state must be an object`);
      for (const [name, value] of Object.entries(entries)) {
        if (!names.includes(name)) fail(`parameter ${i} has state '${name}'; ${this.typeName} keeps ${names.join(', ')}`);
        let data: Float32Array;
        try {
          data = typeof value === 'number' ? Float32Array.of(value) : checkTensor(value, `parameter ${i}'s '${name}'`).data;
        } catch (e) {
          return fail((e as Error).message);
        }
        const want = name === 'step' ? 1 : this.#refs[i].shape.reduce((n, d) => n * d, 1);
        if (data.length !== want) fail(`parameter ${i} ('${this.#refs[i].name}') has '${name}' of ${data.length} values, expected ${want}`);
        loaded.push([i, name, data]);
      }
    }
    const group = Array.isArray(dict.param_groups) ? dict.param_groups[0] : undefined;
    const mine = this.group();
    if (group) {
      for (const [key, value] of Object.entries(mine)) {
        if (key === 'lr' || !(key in group)) continue;
        if (JSON.stringify(group[key]) !== JSON.stringify(value)) {
          fail(`param_groups has ${key} ${preview(group[key])}, this optimizer ${preview(value)}; construct it with the same options`);
        }
      }
    }
    this.#refs.forEach((_, i) => names.forEach((name) => unwrap(wasm()._optimizerSetState(handle, i, name, null))));
    for (const [i, name, data] of loaded) unwrap(wasm()._optimizerSetState(handle, i, name, { data, shape: [data.length] }));
    if (group && typeof group.lr === 'number') this.lr = group.lr;
  }

  /** The hyperparameters with PyTorch's keys, as `param_groups[0]` holds them (without params). */
  protected abstract group(): Record<string, unknown>;
  protected abstract setLr(lr: number): void;

  private checkModules(what: string): void {
    const gone = this.#refs.find((r) => r.module.isDisposed() || r.mirrors.some((m) => m.module.isDisposed()));
    if (gone) throw new RnnError('disposed', `${this.typeName}.${what}: the module holding '${gone.name}' was disposed`);
  }
}

export interface SGDOptions {
  lr: number;
  /** Default 0. */
  momentum?: number;
  /** Default 0. */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
}

/**
 * torch.optim.SGD (PyTorch 1.13): d = g + weightDecay θ; b = momentum b + (1 - dampening) d
 * (b = d at the first step); d = d + momentum b (nesterov) or b; θ = θ - lr d.
 *
 * @example
 * const opt = new optim.SGD(model, { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer {
  readonly options: Required<SGDOptions>;

  constructor(module: Trainable, options: SGDOptions) {
    const o = options ?? ({} as SGDOptions);
    if (o.lr === undefined) throw new RnnError('argument', 'SGD: lr is required');
    const opts: Required<SGDOptions> = {
      lr: number(o.lr, 'lr', 'SGD'), momentum: number(o.momentum, 'momentum', 'SGD', 0), dampening: number(o.dampening, 'dampening', 'SGD', 0),
      nesterov: Boolean(o.nesterov ?? false), weightDecay: number(o.weightDecay, 'weightDecay', 'SGD', 0),
    };
    const { refs, targets } = targetsOf(module, 'SGD');
    super(unwrap(wasm()._sgdNew(targets, opts.lr, opts.momentum, opts.dampening, opts.weightDecay, opts.nesterov)), module, refs);
    this.options = opts;
  }

  get typeName(): string {
    return 'SGD';
  }

  protected group(): Record<string, unknown> {
    const o = this.options;
    return { lr: o.lr, momentum: o.momentum, dampening: o.dampening, weight_decay: o.weightDecay, nesterov: o.nesterov, maximize: false };
  }

  protected setLr(lr: number): void {
    this.options.lr = lr;
  }
}

export interface AdamOptions {
  /** Default 1e-3. */
  lr?: number;
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay of the weights (default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of past second moments (default false). */
  amsgrad?: boolean;
}

/**
 * torch.optim.Adam (PyTorch 1.13): g = g + weightDecay θ; m = β1 m + (1 - β1) g;
 * v = β2 v + (1 - β2) g²; θ = θ - lr / (1 - β1^t) · m / (√v / √(1 - β2^t) + eps).
 *
 * @example
 * const opt = new optim.Adam(model, { lr: 2e-3 });
 */
export class Adam extends Optimizer {
  readonly options: Required<AdamOptions>;

  constructor(module: Trainable, options: AdamOptions = {}, decoupled = false) {
    const name = decoupled ? 'AdamW' : 'Adam';
    const o = options ?? {};
    const betas = o.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) throw new RnnError('argument', `${name}: betas must be [beta1, beta2], got ${preview(betas)}`);
    const opts: Required<AdamOptions> = {
      lr: number(o.lr, 'lr', name, 1e-3), betas: [number(betas[0], 'betas[0]', name), number(betas[1], 'betas[1]', name)],
      eps: number(o.eps, 'eps', name, 1e-8), weightDecay: number(o.weightDecay, 'weightDecay', name, decoupled ? 1e-2 : 0), amsgrad: Boolean(o.amsgrad ?? false),
    };
    const { refs, targets } = targetsOf(module, name);
    super(unwrap(wasm()._adamNew(targets, opts.lr, opts.betas[0], opts.betas[1], opts.eps, opts.weightDecay, opts.amsgrad, decoupled)), module, refs);
    this.options = opts;
  }

  get typeName(): string {
    return 'Adam';
  }

  protected group(): Record<string, unknown> {
    const o = this.options;
    return { lr: o.lr, betas: [...o.betas], eps: o.eps, weight_decay: o.weightDecay, amsgrad: o.amsgrad, maximize: false };
  }

  protected setLr(lr: number): void {
    this.options.lr = lr;
  }
}

/**
 * torch.optim.AdamW (PyTorch 1.13): Adam with decoupled weight decay, θ = θ (1 - lr weightDecay)
 * before the update, the gradient left as it is. weightDecay defaults to 1e-2.
 *
 * @example
 * const opt = new optim.AdamW(model, { lr: 1e-3, weightDecay: 0.01 });
 */
export class AdamW extends Adam {
  constructor(module: Trainable, options: AdamOptions = {}) {
    super(module, options, true);
  }

  get typeName(): string {
    return 'AdamW';
  }
}

/**
 * torch.nn.utils.clip_grad_norm_: the norm of all gradients together (`normType` 2 by default,
 * or Infinity for the largest magnitude); when above `maxNorm`, every gradient is scaled by
 * maxNorm / (norm + 1e-6). Returns the norm before clipping. A NaN or infinite norm is
 * returned and the gradients are left as they are (so `step()` then refuses them).
 *
 * @example
 * const norm = clipGradNorm(model, 5);
 */
export function clipGradNorm(module: Trainable, maxNorm: number, options: { normType?: number } = {}): number {
  const { refs, targets } = targetsOf(module, 'clipGradNorm');
  const gone = refs.find((r) => r.module.isDisposed());
  if (gone) throw new RnnError('disposed', `clipGradNorm: the module holding '${gone.name}' was disposed`);
  return unwrap(wasm()._clipGradNorm(targets, number(maxNorm, 'maxNorm', 'clipGradNorm'), number(options?.normType, 'normType', 'clipGradNorm', 2)));
}
