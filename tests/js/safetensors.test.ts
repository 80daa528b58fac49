// Reading and writing .safetensors, and every malformed file refused with RnnError 'weights'.
import { readFileSync } from 'node:fs';

import { LSTM, Tensor, loadSafetensors, saveSafetensors } from 'rnn-wasm';

import { expectRnnError } from './helpers.js';

function fileOf(header: unknown, data: Uint8Array = new Uint8Array(0), lengthOverride?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectWeightsError(bytes: Uint8Array, part: string): void {
  expectRnnError(() => loadSafetensors(bytes), 'weights', part);
}

test('save and load round-trip tensors and metadata; prefix selects and strips names', () => {
  const tensors = { 'rnn.weight': new Tensor([1.5, -2, 3e-8, 65504], [2, 2]), 'rnn.bias': new Tensor([0.25], [1]), other: Tensor.zeros([0, 3]) };
  const bytes = saveSafetensors(tensors, { format: 'pt' });
  const header = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  expect((8 + header) % 8).toBe(0);
  const back = loadSafetensors(bytes.buffer.slice(0) as ArrayBuffer);
  expect(back.metadata).toEqual({ format: 'pt' });
  expect(back.tensors['rnn.weight']).toEqual(tensors['rnn.weight']);
  expect(back.tensors.other.shape).toEqual([0, 3]);
  const selected = loadSafetensors(bytes, { prefix: 'rnn.' });
  expect(Object.keys(selected.tensors).sort()).toEqual(['bias', 'weight']);
});

test('F16, BF16 and F64 are read as float32', () => {
  const data = new Uint8Array(2 * 4 + 2 * 4 + 8 * 2);
  const view = new DataView(data.buffer);
  [0x3c00, 0xc000, 0x0001, 0x7c00].forEach((h, i) => view.setUint16(2 * i, h, true)); // 1, -2, 2^-24, inf
  [0x3f80, 0xc0a0, 0x7fc0, 0x0000].forEach((b, i) => view.setUint16(8 + 2 * i, b, true)); // 1, -5, NaN, 0
  [0.1, -1e300].forEach((v, i) => view.setFloat64(16 + 8 * i, v, true));
  const { tensors } = loadSafetensors(fileOf({
    half: { dtype: 'F16', shape: [4], data_offsets: [0, 8] },
    brain: { dtype: 'BF16', shape: [2, 2], data_offsets: [8, 16] },
    double: { dtype: 'F64', shape: [2], data_offsets: [16, 32] },
  }, data));
  expect([...tensors.half.data]).toEqual([1, -2, 2 ** -24, Infinity]);
  expect([...tensors.brain.data]).toEqual([1, -5, NaN, 0]);
  expect(tensors.double.data[0]).toBe(Math.fround(0.1));
  expect(tensors.double.data[1]).toBe(-Infinity);
});

test('a PyTorch state_dict written by the Python helper loads into a layer in one call', () => {
  // tests/golden/layers.safetensors was written by python/rnn_wasm (make_golden_layers.py).
  const bytes = readFileSync(new URL('../golden/layers.safetensors', import.meta.url));
  const { tensors } = loadSafetensors(bytes, { prefix: 'case0.' });
  const { x, output, hN, h0, c0, cN, ...weights } = tensors;
  expect(Object.keys(weights).sort()).toEqual(['bias_hh_l0', 'bias_ih_l0', 'weight_hh_l0', 'weight_ih_l0']);
  expect(x.shape.length).toBe(3);
});

describe('malformed files: RnnError weights, naming the problem', () => {
  const good = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const data = new Uint8Array(8);
  test.each([
    ['too short for the length', new Uint8Array(5), 'shorter than the 8-byte header length'],
    ['header length past the end', fileOf(good, data, 1000n), 'header length 1000 runs past the end'],
    ['header length overflowing 64 bits', fileOf(good, data, 0xffffffffffffffffn), 'runs past the end'],
    ['bad UTF-8', fileOf('{"\xff', data), 'header is not valid'],
    ['bad JSON', fileOf('{"w": [', data), 'header is not valid JSON'],
    ['a JSON array', fileOf('[]', data), 'header must be a JSON object'],
    ['unknown dtype', fileOf({ w: { dtype: 'Q8', shape: [2], data_offsets: [0, 8] } }, data), `'w' has dtype "Q8"; supported: F32, F16, BF16, F64`],
    ['offsets out of range', fileOf({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, data), "'w' has data_offsets [0, 16] outside the 8 data bytes"],
    ['offsets reversed', fileOf({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, data), 'outside the 8 data bytes'],
    ['overlapping tensors', fileOf({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, data), "tensors 'a' [0, 8) and 'b' [4, 8) overlap"],
    ['shape and byte size disagreeing', fileOf({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, data), "'w' has shape [3] of F32, 12 bytes, but data_offsets [0, 8] hold 8"],
    ['a shape whose size overflows 32 bits', fileOf({ w: { dtype: 'F32', shape: [65536, 65536], data_offsets: [0, 8] } }, data), 'but data_offsets [0, 8] hold 8'],
    ['negative shape', fileOf({ w: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data), 'expected an array of non-negative integers'],
    ['missing offsets', fileOf({ w: { dtype: 'F32', shape: [2] } }, data), "'w' has data_offsets undefined"],
    ['unknown field', fileOf({ w: { ...good.w, extra: 1 } }, data), "'w' has unknown field 'extra'"],
    ['a tensor named twice', fileOf('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "w" : {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', data), "header names 'w' twice"],
    ['metadata not strings', fileOf({ ...good, __metadata__: { a: 1 } }, data), "__metadata__ 'a' must be a string"],
  ])('%s', (_name, bytes, part) => expectWeightsError(bytes as Uint8Array, part as string));

  test('missing, unexpected and wrong-shape tensors for a layer', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4 });
    try {
      const { tensors } = loadSafetensors(saveSafetensors({ ...lstm.stateDict(), weight_ih_l0: Tensor.zeros([16, 5]) }));
      expect(() => lstm.loadStateDict(tensors)).toThrow("'weight_ih_l0' has shape (16, 5), expected (16, 3) = (4*hiddenSize, inputSize)");
      const { bias_hh_l0, ...missing } = lstm.stateDict();
      expect(() => lstm.loadStateDict(missing)).toThrow("missing 'bias_hh_l0'");
      expect(() => lstm.loadStateDict({ ...missing, bias_hh_l0, weight_hr_l0: bias_hh_l0 })).toThrow("unexpected 'weight_hr_l0'");
    } finally {
      lstm.dispose();
    }
  });
});
