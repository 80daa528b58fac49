// Losses as torch.nn.functional computes them (PyTorch 1.13), each returning the loss and its
// gradient with respect to the input, computed in one pass in wasm (cpp/layers/losses.h).
import { RnnError } from './errors.js';
import { wasm } from './init.js';
import { toTensor } from './module.js';
import { unwrap, type RawTensor } from './raw.js';
import { Tensor, checkTensor, preview } from './tensor.js';

/** How per-element losses are combined: their mean (default), their sum, or none (one per element). */
export type Reduction = 'mean' | 'sum' | 'none';

/** A loss and its gradient with respect to the input (for 'none': the gradient of their sum). */
export interface LossResult<L = number> {
  loss: L;
  grad: Tensor;
}

export interface CrossEntropyOptions {
  /** A target equal to this contributes nothing, and does not count in the mean. Default -100. */
  ignoreIndex?: number;
  /** Mixes the one-hot target with the uniform distribution: (1 - ε) one-hot + ε / C. Default 0. */
  labelSmoothing?: number;
  /** Default 'mean': the weighted mean over rows not ignored. */
  reduction?: Reduction;
  /** C class weights: row n's loss is scaled by weight[target n], and the mean divides by their sum. */
  weight?: Tensor;
}

/**
 * `F.cross_entropy`: the log-softmax of each row of `logits` (N, C) against its class id in
 * `targets` (N), with PyTorch 1.13's `ignoreIndex`, `labelSmoothing`, `weight` and `reduction`.
 * Returns the loss and dL/dlogits. Targets out of [0, C) that are not `ignoreIndex` are
 * RnnError 'argument'. A sequence model flattens its steps into N.
 *
 * @example
 * const { loss, grad } = crossEntropy(logits, [2, 0, 1]);
 * const { loss: perRow } = crossEntropy(logits, [2, 0, 1], { reduction: 'none' }); // a Tensor (N)
 */
export function crossEntropy(logits: Tensor, targets: ArrayLike<number>, options: CrossEntropyOptions & { reduction: 'none' }): LossResult<Tensor>;
export function crossEntropy(logits: Tensor, targets: ArrayLike<number>, options?: CrossEntropyOptions): LossResult;
export function crossEntropy(logits: Tensor, targets: ArrayLike<number>, options: CrossEntropyOptions = {}): LossResult<number | Tensor> {
  const x = checkTensor(logits, 'crossEntropy: logits');
  const ids = numbers(targets, 'crossEntropy: targets');
  const o = options ?? {};
  for (const [name, value] of [['ignoreIndex', o.ignoreIndex], ['labelSmoothing', o.labelSmoothing]] as const) {
    if (value !== undefined && typeof value !== 'number') throw new RnnError('argument', `crossEntropy: ${name} must be a number, got ${preview(value)}`);
  }
  const weight = o.weight === undefined ? null : checkTensor(o.weight, 'crossEntropy: weight');
  const [loss, grad] = unwrap(wasm()._crossEntropy(x, ids, o.ignoreIndex ?? -100, o.labelSmoothing ?? 0, reductionOf(o.reduction, 'crossEntropy'), weight));
  return { loss: lossOf(loss), grad: toTensor(grad) };
}

/**
 * `F.mse_loss`: the squared difference of `input` and `target` (the same shape), element by
 * element, combined by `reduction`. Returns the loss and dL/dinput = 2 (input - target) (/ n for 'mean').
 *
 * @example
 * const { loss, grad } = mseLoss(prediction, target);
 */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction: 'none' }): LossResult<Tensor>;
export function mseLoss(input: Tensor, target: Tensor, options?: { reduction?: Reduction }): LossResult;
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): LossResult<number | Tensor> {
  const [loss, grad] = unwrap(wasm()._mseLoss(checkTensor(input, 'mseLoss: input'), checkTensor(target, 'mseLoss: target'),
    reductionOf(options?.reduction, 'mseLoss')));
  return { loss: lossOf(loss), grad: toTensor(grad) };
}

function reductionOf(reduction: unknown, owner: string): Reduction {
  if (reduction === undefined) return 'mean';
  if (reduction === 'mean' || reduction === 'sum' || reduction === 'none') return reduction;
  throw new RnnError('argument', `${owner}: reduction must be 'mean', 'sum' or 'none', got ${preview(reduction)}`);
}

function lossOf(loss: number | RawTensor): number | Tensor {
  return typeof loss === 'number' ? loss : toTensor(loss);
}

/** An array or typed array of numbers (class ids), or RnnError 'argument'. */
export function numbers(values: unknown, where: string): ArrayLike<number> {
  if (values instanceof Int32Array || values instanceof Float64Array || values instanceof Float32Array) return values;
  if (Array.isArray(values)) {
    const at = values.findIndex((v) => typeof v !== 'number');
    if (at < 0) return values;
    throw new RnnError('argument', `${where}: entry ${at} is ${preview(values[at])}, not a number`);
  }
  throw new RnnError('argument', `${where}: expected an array or Int32Array of class ids, got ${preview(values)}`);
}
