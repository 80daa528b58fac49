// Activations: as functions (torch.sigmoid, torch.tanh, torch.relu, torch.softmax(dim=-1)) and
// as modules (torch.nn.ReLU, Tanh, Sigmoid), which remember their output to go back through it.
import { wasm } from './init.js';
import { Module, toTensor } from './module.js';
import { unwrap } from './raw.js';
import { Tensor, checkTensor } from './tensor.js';

function apply(kind: string, x: Tensor): Tensor {
  return toTensor(unwrap(wasm()._activation(kind, checkTensor(x, `${kind}: input`))));
}

/** Element-wise logistic sigmoid. @example const p = sigmoid(logits); */
export const sigmoid = (x: Tensor): Tensor => apply('sigmoid', x);
/** Element-wise tanh. @example const y = tanh(x); */
export const tanh = (x: Tensor): Tensor => apply('tanh', x);
/** Element-wise max(x, 0); NaN stays NaN. @example const y = relu(x); */
export const relu = (x: Tensor): Tensor => apply('relu', x);
/** Softmax over the last dimension. @example const probs = softmax(logits); */
export const softmax = (x: Tensor): Tensor => apply('softmax', x);

/** An activation as a module: no parameters; in train mode `forward` keeps its output for `backward`. */
abstract class ActivationModule extends Module {
  protected constructor(kind: 'relu' | 'tanh' | 'sigmoid') {
    super(unwrap(wasm()._activationModuleNew(kind)));
  }

  /** Element-wise, any shape. */
  forward(x: Tensor): Tensor {
    const handle = this.handle('forward');
    return toTensor(unwrap(wasm()._activationModuleForward(handle, checkTensor(x, `${this.typeName}.forward: input`))));
  }

  /** Back through the last train-mode `forward`: dL/dx from dL/dy (y's shape). Once per forward. */
  backward(gradOutput: Tensor): { input: Tensor } {
    const handle = this.handle('backward');
    return { input: toTensor(unwrap(wasm()._activationModuleBackward(handle, checkTensor(gradOutput, `${this.typeName}.backward: gradOutput`)))) };
  }
}

/**
 * torch.nn.ReLU as a module; backward passes the gradient where the output is above 0.
 *
 * @example
 * const act = new ReLU().train(); const y = act.forward(x); const { input } = act.backward(gradY); act.dispose();
 */
export class ReLU extends ActivationModule {
  constructor() {
    super('relu');
  }

  get typeName(): string {
    return 'ReLU';
  }
}

/**
 * torch.nn.Tanh as a module; backward multiplies the gradient by 1 - y².
 *
 * @example
 * const act = new Tanh(); const y = act.forward(x); act.dispose();
 */
export class Tanh extends ActivationModule {
  constructor() {
    super('tanh');
  }

  get typeName(): string {
    return 'Tanh';
  }
}

/**
 * torch.nn.Sigmoid as a module; backward multiplies the gradient by y (1 - y).
 *
 * @example
 * const act = new Sigmoid(); const y = act.forward(x); act.dispose();
 */
export class Sigmoid extends ActivationModule {
  constructor() {
    super('sigmoid');
  }

  get typeName(): string {
    return 'Sigmoid';
  }
}
