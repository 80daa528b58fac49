// The raw Embind functions (cpp/bindings/embind.cpp). Only js/src calls them. Each returns
// its result or an error record, which `unwrap` turns into an RnnError.
import { RnnError, type RnnErrorCode } from './errors.js';

/** A tensor as it crosses into wasm: copied in and out, never a view of wasm memory. */
export interface RawTensor {
  data: Float32Array;
  shape: readonly number[];
}

interface RawError {
  rnnErrorCode: RnnErrorCode;
  message: string;
}

type Result<T> = T | RawError;
export type Handle = number;
/** A parameter as optimizers name it in wasm: [module, name there, tied copies as [module, name][], name in messages]. */
export type RawTarget = [Handle, string, [Handle, string][], string];

export interface RawModule {
  _rnnCellNew(inputSize: number, hiddenSize: number, bias: boolean, nonlinearity: string, seed: number): Result<Handle>;
  _gruCellNew(inputSize: number, hiddenSize: number, bias: boolean, seed: number): Result<Handle>;
  _lstmCellNew(inputSize: number, hiddenSize: number, bias: boolean, seed: number): Result<Handle>;
  _linearNew(inFeatures: number, outFeatures: number, bias: boolean, seed: number): Result<Handle>;
  _embeddingNew(numEmbeddings: number, embeddingDim: number, paddingIdx: number | null, seed: number): Result<Handle>;
  _objectDelete(handle: Handle): void;
  _recurrentStateNew(layer: Handle, batch: number): Result<Handle>;
  _recurrentStateClone(state: Handle): Result<Handle>;
  _recurrentStateGet(state: Handle): Result<RawTensor[]>;
  _recurrentStateSet(layer: Handle, state: Handle, h: RawTensor, c: RawTensor | null): Result<undefined>;
  _recurrentStateReset(state: Handle): Result<undefined>;
  _recurrentStep(layer: Handle, state: Handle, x: RawTensor): Result<RawTensor>;
  _moduleLoadStateDict(handle: Handle, entries: [string, RawTensor][], strict: boolean): Result<undefined>;
  _moduleStateDict(handle: Handle): Result<[string, RawTensor][]>;
  _moduleQuantize(handle: Handle): Result<undefined>;
  _moduleLoadInt8(handle: Handle, name: string, q: Int8Array, rows: number, cols: number, scales: Float32Array): Result<undefined>;
  _setInitialDraws(on: boolean): void;
  _rnnCellForward(handle: Handle, x: RawTensor, h0: RawTensor | null): Result<RawTensor>;
  _gruCellForward(handle: Handle, x: RawTensor, h0: RawTensor | null): Result<RawTensor>;
  _lstmCellForward(handle: Handle, x: RawTensor, h0: RawTensor | null, c0: RawTensor | null): Result<[RawTensor, RawTensor]>;
  _recurrentNew(mode: string, inputSize: number, hiddenSize: number, numLayers: number, bias: boolean, batchFirst: boolean,
    dropout: number, bidirectional: boolean, projSize: number, seed: number): Result<Handle>;
  _recurrentForward(handle: Handle, x: RawTensor, h0: RawTensor | null, c0: RawTensor | null,
    lengths: ArrayLike<number> | null): Result<[RawTensor, RawTensor, RawTensor | null]>;
  _linearForward(handle: Handle, x: RawTensor): Result<RawTensor>;
  _embeddingForward(handle: Handle, ids: ArrayLike<number>, shape: readonly number[]): Result<RawTensor>;
  _activation(kind: string, x: RawTensor): Result<RawTensor>;
  // training (cpp/bindings/training.cpp)
  _moduleTrain(handle: Handle, on: boolean): Result<undefined>;
  _moduleZeroGrad(handle: Handle): Result<undefined>;
  _moduleGradients(handle: Handle): Result<[string, RawTensor][]>;
  _moduleSetFrozen(handle: Handle, names: string[], frozen: boolean): Result<undefined>;
  _moduleParameters(handle: Handle): Result<[string, boolean, number[]][]>;
  _moduleMoveGradient(from: Handle, fromName: string, to: Handle, toName: string): Result<undefined>;
  _cellBackward(handle: Handle, gradH: RawTensor, gradC: RawTensor | null): Result<[RawTensor, RawTensor, RawTensor | null]>;
  _recurrentBackward(handle: Handle, gradOutput: RawTensor, gradH: RawTensor | null, gradC: RawTensor | null): Result<[RawTensor, RawTensor, RawTensor | null]>;
  _linearBackward(handle: Handle, grad: RawTensor): Result<RawTensor>;
  _embeddingBackward(handle: Handle, grad: RawTensor): Result<undefined>;
  _activationModuleNew(kind: string): Result<Handle>;
  _activationModuleForward(handle: Handle, x: RawTensor): Result<RawTensor>;
  _activationModuleBackward(handle: Handle, grad: RawTensor): Result<RawTensor>;
  _pool(kind: string, output: RawTensor, hN: RawTensor, directions: number, lengths: ArrayLike<number>): Result<RawTensor>;
  _poolBackward(kind: string, output: RawTensor, hN: RawTensor, directions: number, lengths: ArrayLike<number>, grad: RawTensor): Result<[RawTensor, RawTensor]>;
  _crossEntropy(logits: RawTensor, targets: ArrayLike<number>, ignoreIndex: number, labelSmoothing: number, reduction: string, weight: RawTensor | null): Result<[number | RawTensor, RawTensor]>;
  _mseLoss(input: RawTensor, target: RawTensor, reduction: string): Result<[number | RawTensor, RawTensor]>;
  _sgdNew(targets: RawTarget[], lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean): Result<Handle>;
  _adamNew(targets: RawTarget[], lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, amsgrad: boolean, decoupled: boolean): Result<Handle>;
  _optimizerStep(handle: Handle): Result<undefined>;
  _optimizerZeroGrad(handle: Handle): Result<undefined>;
  _optimizerSetLr(handle: Handle, lr: number): Result<undefined>;
  _optimizerStateNames(handle: Handle): Result<string[]>;
  _optimizerGetState(handle: Handle, index: number, name: string): Result<RawTensor | null>;
  _optimizerSetState(handle: Handle, index: number, name: string, values: RawTensor | null): Result<undefined>;
  _clipGradNorm(targets: RawTarget[], maxNorm: number, normType: number): Result<number>;
  _heapBytes(): number;
  _build(): 'relaxed' | 'simd' | 'baseline' | 'relaxed-threads' | 'simd-threads';
  // threads (cpp/bindings/threads.cpp)
  _prepareThreads(n: number, stackBytes: number, stepWork: number, sequenceWork: number, stepParts: number, callerMayPark: boolean): number;
  _threads(): number;
}

export function unwrap<T>(result: Result<T>): T {
  if (result !== null && typeof result === 'object' && 'rnnErrorCode' in result) {
    throw new RnnError(result.rnnErrorCode, result.message);
  }
  return result as T;
}
