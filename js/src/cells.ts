// RNNCell, GRUCell and LSTMCell: one time step each, as torch.nn's cells.
import { RnnError } from './errors.js';
import { wasm } from './init.js';
import { Module, seedFor, toTensor } from './module.js';
import { unwrap, type Handle } from './raw.js';
import { Tensor, checkTensor } from './tensor.js';

export interface CellOptions {
  inputSize: number;
  hiddenSize: number;
  /** Use bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Seed of the initial weights (PyTorch's distributions); default: a process-wide counter. */
  seed?: number;
}

export interface RNNCellOptions extends CellOptions {
  /** Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
}

/** What a cell's `backward` returns: gradients with respect to the last forward's inputs. */
export interface CellGradients<State> {
  /** dL/dx, x's shape. */
  input: Tensor;
  /** dL/d(initial state): h0's gradient, or [h0's, c0's] for LSTMCell (zeros' shapes when no state was given). */
  state: State;
}

/** What the three cells share: their sizes, and going back through a step. */
abstract class Cell extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;

  protected constructor(handle: Handle, options: CellOptions) {
    super(handle);
    this.inputSize = options.inputSize;
    this.hiddenSize = options.hiddenSize;
    this.bias = options.bias ?? true;
  }

  protected runBackward(gradH: Tensor, gradC: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const handle = this.handle('backward');
    const h = checkTensor(gradH, `${this.typeName}.backward: gradH`);
    const c = gradC === null ? null : checkTensor(gradC, `${this.typeName}.backward: gradC`);
    const [input, h0, c0] = unwrap(wasm()._cellBackward(handle, h, c));
    return [toTensor(input), toTensor(h0), c0 && toTensor(c0)];
  }
}

/**
 * torch.nn.RNNCell: `h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)` (or relu).
 * Input `(batch, inputSize)` or `(inputSize)`; state in the same layout with hiddenSize.
 *
 * @example
 * const cell = new RNNCell({ inputSize: 4, hiddenSize: 8, nonlinearity: 'relu' });
 * const h1 = cell.forward(new Tensor(new Float32Array(4), [1, 4]));
 */
export class RNNCell extends Cell {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: RNNCellOptions) {
    const o = options ?? ({} as RNNCellOptions);
    const nonlinearity = o.nonlinearity ?? 'tanh';
    super(unwrap(wasm()._rnnCellNew(Number(o.inputSize), Number(o.hiddenSize), o.bias ?? true, String(nonlinearity), seedFor(o.seed))), o);
    this.nonlinearity = nonlinearity;
  }

  get typeName(): string {
    return 'RNNCell';
  }

  /** One step: returns h1. `h0` absent means zeros. */
  forward(x: Tensor, h0?: Tensor | null): Tensor {
    const handle = this.handle('forward');
    return toTensor(unwrap(wasm()._rnnCellForward(handle, checkTensor(x, 'RNNCell.forward: input'), optional(h0, 'RNNCell.forward: h0'))));
  }

  /**
   * Back through the last train-mode `forward`: `gradH` is dL/dh1 (h1's shape). Adds the
   * parameters' gradients to `gradients()` and returns dL/dx and dL/dh0. Once per forward.
   *
   * @example
   * cell.train(); const h1 = cell.forward(x, h0); const { input, state } = cell.backward(gradH1);
   */
  backward(gradH: Tensor): CellGradients<Tensor> {
    const [input, h0] = this.runBackward(gradH, null);
    return { input, state: h0 };
  }
}

/**
 * torch.nn.GRUCell (gates r, z, n; r scales `W_hn h + b_hn`).
 *
 * @example
 * const cell = new GRUCell({ inputSize: 4, hiddenSize: 8 });
 * const h1 = cell.forward(x, h0);
 */
export class GRUCell extends Cell {
  constructor(options: CellOptions) {
    const o = options ?? ({} as CellOptions);
    super(unwrap(wasm()._gruCellNew(Number(o.inputSize), Number(o.hiddenSize), o.bias ?? true, seedFor(o.seed))), o);
  }

  get typeName(): string {
    return 'GRUCell';
  }

  /** One step: returns h1. `h0` absent means zeros. */
  forward(x: Tensor, h0?: Tensor | null): Tensor {
    const handle = this.handle('forward');
    return toTensor(unwrap(wasm()._gruCellForward(handle, checkTensor(x, 'GRUCell.forward: input'), optional(h0, 'GRUCell.forward: h0'))));
  }

  /**
   * Back through the last train-mode `forward`: `gradH` is dL/dh1 (h1's shape). Adds the
   * parameters' gradients to `gradients()` and returns dL/dx and dL/dh0. Once per forward.
   *
   * @example
   * cell.train(); const h1 = cell.forward(x, h0); const { input, state } = cell.backward(gradH1);
   */
  backward(gradH: Tensor): CellGradients<Tensor> {
    const [input, h0] = this.runBackward(gradH, null);
    return { input, state: h0 };
  }
}

/**
 * torch.nn.LSTMCell (gates i, f, g, o).
 *
 * @example
 * const cell = new LSTMCell({ inputSize: 4, hiddenSize: 8 });
 * const [h1, c1] = cell.forward(x, [h0, c0]);
 */
export class LSTMCell extends Cell {
  constructor(options: CellOptions) {
    const o = options ?? ({} as CellOptions);
    super(unwrap(wasm()._lstmCellNew(Number(o.inputSize), Number(o.hiddenSize), o.bias ?? true, seedFor(o.seed))), o);
  }

  get typeName(): string {
    return 'LSTMCell';
  }

  /** One step: returns [h1, c1]. `state` absent means zeros. */
  forward(x: Tensor, state?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const handle = this.handle('forward');
    const input = checkTensor(x, 'LSTMCell.forward: input');
    if (state != null && (!Array.isArray(state) || state.length !== 2)) {
      throw new RnnError('argument', 'LSTMCell.forward: state must be [h0, c0]');
    }
    const h0 = state ? checkTensor(state[0], 'LSTMCell.forward: h0') : null;
    const c0 = state ? checkTensor(state[1], 'LSTMCell.forward: c0') : null;
    const [h1, c1] = unwrap(wasm()._lstmCellForward(handle, input, h0, c0));
    return [toTensor(h1), toTensor(c1)];
  }

  /**
   * Back through the last train-mode `forward`: `grad` is dL/dh1, or [dL/dh1, dL/dc1] (c1's
   * gradient is zeros when left out). Adds the parameters' gradients to `gradients()` and
   * returns dL/dx and [dL/dh0, dL/dc0]. Once per forward.
   *
   * @example
   * cell.train(); const [h1, c1] = cell.forward(x); const { input, state: [dh0, dc0] } = cell.backward([gradH, gradC]);
   */
  backward(grad: Tensor | [Tensor, Tensor | null]): CellGradients<[Tensor, Tensor]> {
    const [gradH, gradC] = Array.isArray(grad) ? grad : [grad, null];
    if (Array.isArray(grad) && grad.length !== 2) throw new RnnError('argument', 'LSTMCell.backward: expected gradH or [gradH, gradC]');
    const [input, h0, c0] = this.runBackward(gradH, gradC ?? null);
    return { input, state: [h0, c0!] };
  }
}

function optional(value: Tensor | null | undefined, where: string): Tensor | null {
  return value == null ? null : checkTensor(value, where);
}
