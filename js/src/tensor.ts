import { RnnError } from './errors.js';

/**
 * A float32 tensor: plain JavaScript data, row-major, copied into wasm for each call and out
 * again, so it never goes stale when wasm memory grows.
 *
 * @example
 * const x = new Tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * console.log(x.shape, x.data[5]); // [2, 3] 6
 */
export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];

  /** `shape` defaults to `[data.length]`; its product must equal `data.length`. */
  constructor(data: Float32Array | ArrayLike<number>, shape?: readonly number[]) {
    this.data = data instanceof Float32Array ? data : Float32Array.from(data);
    this.shape = Object.freeze([...(shape ?? [this.data.length])]);
    for (const d of this.shape) {
      if (!Number.isInteger(d) || d < 0) {
        throw new RnnError('shape', `Tensor: shape [${this.shape.join(', ')}] must hold non-negative integers`);
      }
    }
    if (sizeOf(this.shape) !== this.data.length) {
      throw new RnnError('shape', `Tensor: shape [${this.shape.join(', ')}] holds ${sizeOf(this.shape)} elements, but data has ${this.data.length}`);
    }
  }

  /**
   * A tensor of zeros.
   * @example const h0 = Tensor.zeros([1, 8]);
   */
  static zeros(shape: readonly number[]): Tensor {
    return new Tensor(new Float32Array(sizeOf(shape)), shape);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Throws RnnError 'argument' unless `value` is a Tensor (or {data: Float32Array, shape}). */
export function checkTensor(value: unknown, where: string): Tensor {
  if (value instanceof Tensor) return value;
  const like = value as Tensor | null;
  if (like && like.data instanceof Float32Array && Array.isArray(like.shape)) return new Tensor(like.data, like.shape);
  throw new RnnError('argument', `${where} must be a Tensor, got ${describe(value)}`);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `${typeof value} ${String(value)}`;
}
