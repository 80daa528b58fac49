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

// The largest dimension wasm takes (a size_t there has 32 bits; sizes are capped at 2^31 - 1 as
// in cpp/tensor/shape.h). Only a tensor with a zero dimension can have a larger one.
const MAX_DIMENSION = 2 ** 31 - 1;

/**
 * Throws RnnError 'argument' unless `value` is a Tensor (or {data: Float32Array, shape}), and
 * 'shape' if a dimension is above 2^31 - 1 (possible only beside a zero dimension).
 */
export function checkTensor(value: unknown, where: string): Tensor {
  const like = value as Tensor | null;
  let tensor: Tensor;
  if (value instanceof Tensor) tensor = value;
  else if (like && like.data instanceof Float32Array && Array.isArray(like.shape)) tensor = new Tensor(like.data, like.shape);
  else throw new RnnError('argument', `${where} must be a Tensor, got ${describe(value)}`);
  if (tensor.shape.some((d) => d > MAX_DIMENSION)) {
    throw new RnnError('shape', `${where} has shape [${tensor.shape.join(', ')}]; dimensions above ${MAX_DIMENSION} are not supported`);
  }
  return tensor;
}

/**
 * A value from a file or a caller, for a message: JSON, cut to `max` characters; never throws
 * (deeply nested JSON.parse output makes JSON.stringify overflow the stack).
 */
export function preview(value: unknown, max = 60): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? '[...]' : typeof value === 'object' && value !== null ? '{...}' : String(value);
  }
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** A name from a file or a caller, quoted and cut for a message: 'encoder.weight_ih_l0'. */
export function quote(name: string, max = 80): string {
  return `'${name.length > max ? `${name.slice(0, max)}...` : name}'`;
}

/** The first five names, quoted, and how many more: 'a', 'b', 'c', 'd', 'e' and 3 more. */
export function quoteSome(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((n) => quote(n)).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `${typeof value} ${String(value)}`;
}
