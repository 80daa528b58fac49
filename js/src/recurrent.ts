// RNN, GRU and LSTM layers, as torch.nn's: a cell per layer and direction over a whole sequence,
// each forward one call into wasm.
import { RnnError } from './errors.js';
import { wasm } from './init.js';
import { WasmObject } from './lifetime.js';
import { Module, seedFor, toTensor } from './module.js';
import { unwrap, type Handle } from './raw.js';
import { Tensor, checkTensor, preview } from './tensor.js';

export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Use bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Input and output as (batch, seqLen, features) instead of (seqLen, batch, features). States are unaffected. */
  batchFirst?: boolean;
  /**
   * Dropout on the outputs of every layer but the last, in train mode only (as PyTorch): each
   * element is zeroed with this probability and the rest scaled by 1 / (1 - dropout). Seeded by
   * `seed`. Default 0.
   */
  dropout?: number;
  /** Run a second direction backwards over each sequence (default false). */
  bidirectional?: boolean;
  /** Seed of the initial weights (PyTorch's distribution); default: a process-wide counter. */
  seed?: number;
}

export interface RNNOptions extends RecurrentOptions {
  /** Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
}

export interface LSTMOptions extends RecurrentOptions {
  /** Project h to this size with weight_hr_l{k} (default 0: no projection). Must be below hiddenSize. */
  projSize?: number;
}

/** What a layer's `backward` returns: gradients with respect to the last forward's inputs. */
export interface LayerGradients<State> {
  /** dL/dx, x's shape. */
  input: Tensor;
  /** dL/dh0 (hN's shape), or [dL/dh0, dL/dc0] for LSTM; zeros' shapes when no state was given. */
  state: State;
}

export interface ForwardOptions {
  /**
   * Each sequence's length, in any order: PackedSequence semantics without packing. Each
   * sequence stops at its own length (the reverse direction starts at its own last step),
   * hN/cN hold its state at its last valid step, and padded output positions are zero.
   */
  lengths?: ArrayLike<number>;
}

export abstract class Recurrent extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;

  protected constructor(mode: string, o: RecurrentOptions, projSize: number) {
    super(unwrap(wasm()._recurrentNew(mode, Number(o.inputSize), Number(o.hiddenSize), Number(o.numLayers ?? 1), o.bias ?? true,
      o.batchFirst ?? false, Number(o.dropout ?? 0), o.bidirectional ?? false, Number(projSize), seedFor(o.seed))));
    this.inputSize = o.inputSize;
    this.hiddenSize = o.hiddenSize;
    this.numLayers = o.numLayers ?? 1;
    this.bias = o.bias ?? true;
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = o.dropout ?? 0;
    this.bidirectional = o.bidirectional ?? false;
  }

  /**
   * A zero state for stepping `batch` sequences (default 1), kept in wasm memory.
   * Bidirectional layers refuse: their reverse direction needs the whole sequence.
   *
   * @example
   * const state = lstm.state({ batch: 1 });
   */
  state(options: { batch?: number } = {}): RecurrentState {
    const handle = unwrap(wasm()._recurrentStateNew(this.handle('state'), Number(options.batch ?? 1)));
    return new RecurrentState(handle, this);
  }

  /**
   * One time step through every layer: x `(batch, inputSize)`; the state advances in place.
   * Returns the top layer's output `(batch, Hout)`: the same numbers as `forward` over the sequence.
   *
   * @example
   * const y = lstm.step(x, state);
   */
  step(x: Tensor, state: RecurrentState): Tensor {
    const handle = this.handle('step');
    const input = checkTensor(x, `${this.typeName}.step: input`);
    return toTensor(unwrap(wasm()._recurrentStep(handle, this.stateHandle(state, 'step'), input)));
  }

  /** @internal The layer's handle for calls on its states; `what` names the call. */
  handleFor(what: string): Handle {
    if (this.isDisposed()) throw new RnnError('disposed', `${what}: its ${this.typeName} was disposed`);
    return this.handle(what);
  }

  /** @internal The state's handle, after checking that it is this layer's. */
  stateHandle(state: RecurrentState, what: string): Handle {
    if (!(state instanceof RecurrentState) || state.layer !== this) {
      throw new RnnError('argument', `${this.typeName}.${what}: expected a state made by this layer's state()`);
    }
    return state.ownHandle(what);
  }

  protected runBackward(gradOutput: Tensor, gradH: Tensor | null, gradC: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const handle = this.handle('backward');
    const output = checkTensor(gradOutput, `${this.typeName}.backward: gradOutput`);
    const h = gradH === null ? null : checkTensor(gradH, `${this.typeName}.backward: gradState h`);
    const c = gradC === null ? null : checkTensor(gradC, `${this.typeName}.backward: gradState c`);
    const [input, h0, c0] = unwrap(wasm()._recurrentBackward(handle, output, h, c));
    return [toTensor(input), toTensor(h0), c0 && toTensor(c0)];
  }

  protected run(x: Tensor, h0: Tensor | null, c0: Tensor | null, options: ForwardOptions | undefined): [Tensor, Tensor, Tensor | null] {
    const handle = this.handle('forward');
    const input = checkTensor(x, `${this.typeName}.forward: input`);
    const lengths = options?.lengths ?? null;
    if (lengths !== null && (typeof lengths !== 'object' || !Array.from(lengths).every((n) => typeof n === 'number'))) {
      throw new RnnError('argument', `${this.typeName}.forward: lengths must be an array of integers, got ${preview(lengths)}`);
    }
    const [output, hN, cN] = unwrap(wasm()._recurrentForward(handle, input, h0, c0, lengths));
    return [toTensor(output), toTensor(hN), cN && toTensor(cN)];
  }
}

/**
 * torch.nn.RNN: `h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)` (or relu), stacked and optionally bidirectional.
 *
 * @example
 * const rnn = new RNN({ inputSize: 4, hiddenSize: 8, numLayers: 2 });
 * const [output, hN] = rnn.forward(x); // x: (seqLen, batch, 4) -> output (seqLen, batch, 8), hN (2, batch, 8)
 */
export class RNN extends Recurrent {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: RNNOptions) {
    const o = options ?? ({} as RNNOptions);
    super(`rnn_${o.nonlinearity ?? 'tanh'}`, o, 0);
    this.nonlinearity = o.nonlinearity ?? 'tanh';
  }

  get typeName(): string {
    return 'RNN';
  }

  /** Returns [output, hN]. `h0` absent means zeros. */
  forward(x: Tensor, h0?: Tensor | null, options?: ForwardOptions): [Tensor, Tensor] {
    const [output, hN] = this.run(x, stateTensor(h0, 'RNN.forward: h0'), null, options);
    return [output, hN];
  }

  /**
   * Back through the last train-mode `forward`, every layer and direction, in one call into
   * wasm: `gradOutput` is dL/doutput (output's shape), `gradState` dL/dhN (null or absent:
   * zeros). Adds the parameters' gradients to `gradients()` and returns dL/dx and dL/dh0.
   * Once per forward.
   *
   * @example
   * rnn.train(); const [out, hN] = rnn.forward(x); const { input, state } = rnn.backward(gradOut);
   */
  backward(gradOutput: Tensor, gradState?: Tensor | null): LayerGradients<Tensor> {
    const [input, h0] = this.runBackward(gradOutput, stateTensor(gradState, `${this.typeName}.backward: gradState`), null);
    return { input, state: h0 };
  }
}

/**
 * torch.nn.GRU (gates r, z, n), stacked and optionally bidirectional.
 *
 * @example
 * const gru = new GRU({ inputSize: 4, hiddenSize: 8, batchFirst: true });
 * const [output, hN] = gru.forward(x, null, { lengths: [5, 3] });
 */
export class GRU extends Recurrent {
  constructor(options: RecurrentOptions) {
    super('gru', options ?? ({} as RecurrentOptions), 0);
  }

  get typeName(): string {
    return 'GRU';
  }

  /** Returns [output, hN]. `h0` absent means zeros. */
  forward(x: Tensor, h0?: Tensor | null, options?: ForwardOptions): [Tensor, Tensor] {
    const [output, hN] = this.run(x, stateTensor(h0, 'GRU.forward: h0'), null, options);
    return [output, hN];
  }

  /**
   * Back through the last train-mode `forward`, every layer and direction, in one call into
   * wasm: `gradOutput` is dL/doutput (output's shape), `gradState` dL/dhN (null or absent:
   * zeros). Adds the parameters' gradients to `gradients()` and returns dL/dx and dL/dh0.
   * Once per forward.
   *
   * @example
   * gru.train(); const [out, hN] = gru.forward(x); const { input, state } = gru.backward(gradOut);
   */
  backward(gradOutput: Tensor, gradState?: Tensor | null): LayerGradients<Tensor> {
    const [input, h0] = this.runBackward(gradOutput, stateTensor(gradState, `${this.typeName}.backward: gradState`), null);
    return { input, state: h0 };
  }
}

/**
 * torch.nn.LSTM (gates i, f, g, o), stacked, optionally bidirectional and projected.
 *
 * @example
 * const lstm = new LSTM({ inputSize: 4, hiddenSize: 8, numLayers: 2, bidirectional: true });
 * const [output, [hN, cN]] = lstm.forward(x); // output (seqLen, batch, 16), hN and cN (4, batch, 8)
 */
export class LSTM extends Recurrent {
  readonly projSize: number;

  constructor(options: LSTMOptions) {
    const o = options ?? ({} as LSTMOptions);
    super('lstm', o, o.projSize ?? 0);
    this.projSize = o.projSize ?? 0;
  }

  get typeName(): string {
    return 'LSTM';
  }

  /** Returns [output, [hN, cN]]. `state` absent means zeros. */
  forward(x: Tensor, state?: [Tensor, Tensor] | null, options?: ForwardOptions): [Tensor, [Tensor, Tensor]] {
    if (state != null && (!Array.isArray(state) || state.length !== 2)) {
      throw new RnnError('argument', 'LSTM.forward: state must be [h0, c0]');
    }
    const [output, hN, cN] = this.run(x, stateTensor(state?.[0], 'LSTM.forward: h0'), stateTensor(state?.[1], 'LSTM.forward: c0'), options);
    return [output, [hN, cN!]];
  }

  /**
   * Back through the last train-mode `forward`, every layer and direction, in one call into
   * wasm: `gradOutput` is dL/doutput (output's shape), `gradState` [dL/dhN, dL/dcN] (null or
   * absent, or either entry null: zeros). Adds the parameters' gradients to `gradients()` and
   * returns dL/dx and [dL/dh0, dL/dc0]. Once per forward.
   *
   * @example
   * lstm.train(); const [out, [hN, cN]] = lstm.forward(x); const { input, state: [dh0, dc0] } = lstm.backward(gradOut, [gradHN, null]);
   */
  backward(gradOutput: Tensor, gradState?: [Tensor | null, Tensor | null] | null): LayerGradients<[Tensor, Tensor]> {
    if (gradState != null && (!Array.isArray(gradState) || gradState.length !== 2)) {
      throw new RnnError('argument', 'LSTM.backward: gradState must be [gradH, gradC]');
    }
    const [input, h0, c0] = this.runBackward(gradOutput, stateTensor(gradState?.[0], 'LSTM.backward: gradState h'),
      stateTensor(gradState?.[1], 'LSTM.backward: gradState c'));
    return { input, state: [h0, c0!] };
  }
}

/**
 * A layer's state between steps: h `(numLayers, batch, Hout)` and, for LSTM, c
 * `(numLayers, batch, hiddenSize)`, kept in wasm memory. Owns that memory: dispose() it.
 *
 * @example
 * const state = lstm.state({ batch: 1 });
 * for (const x of inputs) y = lstm.step(x, state);
 * const [h, c] = state.get();
 */
export class RecurrentState extends WasmObject {
  /** The layer that made this state and steps it. */
  readonly layer: Recurrent;

  /** @internal Made by `layer.state()`. */
  constructor(handle: Handle, layer: Recurrent) {
    super(handle);
    this.layer = layer;
  }

  get typeName(): string {
    return `${this.layer.typeName}State`;
  }

  /** @internal */
  ownHandle(what: string): Handle {
    return this.handle(what);
  }

  /** Copies of `[h]` (RNN, GRU) or `[h, c]` (LSTM). */
  get(): Tensor[] {
    return unwrap(wasm()._recurrentStateGet(this.handle('get'))).map(toTensor);
  }

  /** Replaces the state: `[h]` or `[h, c]`, shapes as `get()` returns them. */
  set(state: Tensor[]): void {
    const handle = this.handle('set');
    if (!Array.isArray(state) || state.length < 1 || state.length > 2) {
      throw new RnnError('argument', `${this.typeName}.set: expected [h] or [h, c]`);
    }
    const h = checkTensor(state[0], `${this.typeName}.set: h`);
    const c = state.length === 2 ? checkTensor(state[1], `${this.typeName}.set: c`) : null;
    unwrap(wasm()._recurrentStateSet(this.layer.handleFor(`${this.typeName}.set`), handle, h, c));
  }

  /** Back to zeros. */
  reset(): void {
    unwrap(wasm()._recurrentStateReset(this.handle('reset')));
  }

  /** An independent copy, to branch a sequence (e.g. for beam search). */
  clone(): RecurrentState {
    return new RecurrentState(unwrap(wasm()._recurrentStateClone(this.handle('clone'))), this.layer);
  }
}

function stateTensor(value: Tensor | null | undefined, where: string): Tensor | null {
  return value == null ? null : checkTensor(value, where);
}

