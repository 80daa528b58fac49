// Shared by the Jest tests: golden fixtures and closeness checks.
import { readFileSync } from 'node:fs';

import { RnnError, Tensor } from 'rnn-wasm';

export interface GoldenTensor {
  shape: number[];
  data: number[];
}

/** A model file written by tests/golden/make_golden_models.py, as a fresh Uint8Array. */
export function goldenModelFile(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../golden/models/${name}.safetensors`, import.meta.url)));
}

export function readGolden<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../golden/${file}`, import.meta.url), 'utf8')) as T;
}

export function tensorOf(golden: GoldenTensor): Tensor {
  return new Tensor(Float32Array.from(golden.data), golden.shape);
}

export function stateDictOf(golden: Record<string, GoldenTensor>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(golden).map(([name, t]) => [name, tensorOf(t)]));
}

/** Same shape, and |actual - expected| <= atol + rtol * |expected| everywhere (NaN only matches NaN). */
export function expectClose(actual: Tensor, expected: GoldenTensor, { atol, rtol }: { atol: number; rtol: number }): void {
  expect([...actual.shape]).toEqual(expected.shape);
  let worst = { index: -1, excess: 0 };
  expected.data.forEach((value, i) => {
    const want = Math.fround(value); // the fixture's 9 digits name exactly this float32
    const got = actual.data[i];
    const ok = Number.isNaN(want) ? Number.isNaN(got) : Math.abs(got - want) <= atol + rtol * Math.abs(want);
    const excess = ok ? 0 : Number.isNaN(got - want) ? Infinity : Math.abs(got - want);
    if (!ok && excess >= worst.excess) worst = { index: i, excess };
  });
  if (worst.index >= 0) {
    throw new Error(`element ${worst.index}: got ${actual.data[worst.index]}, expected ${expected.data[worst.index]} (atol ${atol}, rtol ${rtol})`);
  }
}

export const TOLERANCE = { atol: 1e-5, rtol: 1e-4 };

/** call() must throw an RnnError with this code and a message containing `part`. */
export function expectRnnError(call: () => unknown, code: RnnError['code'], part: string): void {
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(RnnError);
  expect((caught as RnnError).code).toBe(code);
  expect((caught as RnnError).message).toContain(part);
}
