// Functional activations, as torch.sigmoid, torch.tanh, torch.relu and torch.softmax(dim=-1).
import { wasm } from './init.js';
import { toTensor } from './module.js';
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
