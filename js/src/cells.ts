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

/** What the three cells share: their sizes. */
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
}

function optional(value: Tensor | null | undefined, where: string): Tensor | null {
  return value == null ? null : checkTensor(value, where);
}
