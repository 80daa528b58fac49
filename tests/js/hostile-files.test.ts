// Hostile and damaged weight files (issue #9). Every one is refused with RnnError 'weights', or
// loads when the damage leaves a consistent file (data bytes are not checked: they are weights);
// never another exception, never a leak, never a grown heap. After each refusal the same wasm
// instance loads a good model and gives the numbers it gave before.
import { readFileSync } from 'node:fs';

import fc from 'fast-check';
import { LanguageModel, RnnError, Sequential, Tensor, TextClassifier, heapBytes, liveObjectCount, loadCheckpoint, loadModel, loadSafetensors, saveSafetensors } from 'rnn-wasm';

import { expectRnnError, goldenModelFile } from './helpers.js';

const TEXTS = [[3, 7, 1, 12], [5], [22, 0, 9]];
const good = goldenModelFile('classifier_lstm_last'); // TextClassifier, 3128 bytes
const lm = goldenModelFile('lm_gru_tied'); // LanguageModel, 1934 bytes
const int8 = goldenModelFile('classifier_int8'); // TextClassifier written with dtype="int8"
let reference: Float32Array[];

function predictWith(bytes: Uint8Array): Float32Array[] {
  const model = loadModel(bytes) as TextClassifier;
  try {
    return model.predict(TEXTS);
  } finally {
    model.dispose();
  }
}

beforeAll(() => {
  reference = predictWith(good);
});

/** The instance still loads a model and computes exactly what it computed before; nothing leaked. */
function expectModuleWorks(): void {
  expect(liveObjectCount()).toBe(0);
  expect(predictWith(good)).toEqual(reference);
}

/** Refused with RnnError 'weights', or loaded; either way the module works after. */
function refusedOrLoaded<T>(load: () => T, use: (loaded: T) => void = () => {}): 'refused' | 'loaded' {
  let loaded: T;
  try {
    loaded = load();
  } catch (e) {
    if (!(e instanceof RnnError)) throw new Error(`not an RnnError: ${String(e)}`);
    expect(e.code).toBe('weights');
    expectModuleWorks();
    return 'refused';
  }
  use(loaded);
  expectModuleWorks();
  return 'loaded';
}

function refused(load: () => unknown, part = ''): void {
  expectRnnError(load, 'weights', part);
  expectModuleWorks();
}

/** Runs whatever a loaded model offers on a valid input, then frees it. */
function exercise(model: ReturnType<typeof loadModel>): void {
  try {
    if (model instanceof TextClassifier) expect(model.predict([1, 2])).toHaveLength(model.config.numClasses);
    if (model instanceof LanguageModel) expect(model.logits([1, 2]).shape).toEqual([2, model.config.vocabSize]);
  } finally {
    model.dispose();
  }
}

// ---------------------------------------------------------------- the file's parts

interface Parts {
  header: Record<string, unknown>;
  text: string;
  data: Uint8Array;
}

function split(file: Uint8Array): Parts {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(file.subarray(8, 8 + n));
  return { header: JSON.parse(text) as Record<string, unknown>, text, data: file.slice(8 + n) };
}

/** A file of this header (an object, or JSON text as is) and data; the length field may lie. */
function assemble(header: unknown, data: Uint8Array, length?: bigint): Uint8Array {
  const json = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Sets an own property, even '__proto__' (plain assignment would set the prototype instead). */
function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// A small file of every dtype read, with metadata; its header ends in padding spaces.
const small = saveSafetensors({ a: new Tensor([1, -2, 3.5], [3]), bb: new Tensor([0.25, 8], [2, 1]) }, { note: 'x' });
const mixed = (() => {
  const data = new Uint8Array(8 + 8 + 16);
  const view = new DataView(data.buffer);
  [0x3c00, 0xc000, 0x7c00, 0x0001].forEach((h, i) => view.setUint16(2 * i, h, true));
  [0x3f80, 0xc0a0, 0x7fc0, 0x0000].forEach((b, i) => view.setUint16(8 + 2 * i, b, true));
  [0.1, -1e300].forEach((v, i) => view.setFloat64(16 + 8 * i, v, true));
  return assemble({
    __metadata__: { format: 'pt' },
    half: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] },
    brain: { dtype: 'BF16', shape: [4], data_offsets: [8, 16] },
    double: { dtype: 'F64', shape: [2, 1], data_offsets: [16, 32] },
  }, data);
})();

/** What a loaded file must satisfy: every tensor as long as its shape says. */
function expectConsistent(file: { tensors: Record<string, Tensor> }): void {
  for (const t of Object.values(file.tensors)) expect(t.data.length).toBe(t.shape.reduce((n, d) => n * d, 1));
}

// Values a hostile header may hold where a number, string or array is expected.
const HOSTILE_NUMBERS = [-1, 0, 0.5, 1.5, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e308, 1e-300];
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...HOSTILE_NUMBERS, null, true, '', 'F32', 'F16', 'f32', 'I64', 'BOOL', 'constructor', '__proto__', 'toString',
    [], {}, [0], [0, 0], [1, 2], [-1], [2 ** 53, 2 ** 53], [0, 2 ** 40], [65536, 65536], [2 ** 30, 2 ** 30, 2 ** 30], [[1]], { a: 1 }),
  fc.array(fc.constantFrom(...HOSTILE_NUMBERS), { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** One structural change to a header: a field set, deleted or added, an entry dropped, renamed or named twice. */
const headerMutation = fc.record({
  op: fc.constantFrom('set', 'delete', 'drop', 'rename', 'duplicate', 'metadata'),
  entry: fc.nat(),
  field: fc.constantFrom('dtype', 'shape', 'data_offsets', 'extra', '__proto__'),
  name: fc.constantFrom('', '__proto__', '__metadata__', 'constructor', 'a', 'rnn.weight_ih_l0', 'x'.repeat(300)),
  value: hostileValue,
});

type HeaderMutation = typeof headerMutation extends fc.Arbitrary<infer T> ? T : never;

function mutateHeader(parts: Parts, m: HeaderMutation): string {
  const header = clone(parts.header);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const name = names[m.entry % names.length];
  const entry = header[name] as Record<string, unknown>;
  switch (m.op) {
    case 'set': setOwn(entry, m.field, m.value); break;
    case 'delete': delete entry[m.field]; break;
    case 'drop': delete header[name]; break;
    case 'rename': delete header[name]; setOwn(header, m.name, entry); break;
    case 'metadata': setOwn(header, '__metadata__', m.value); break;
    case 'duplicate': return `${JSON.stringify(header).slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(entry)}}`;
  }
  return JSON.stringify(header);
}

// ---------------------------------------------------------------- safetensors

describe('loadSafetensors: damaged files', () => {
  test('the test files are sound: they load, and the small one has padding spaces', () => {
    expect(Object.keys(loadSafetensors(small).tensors)).toEqual(['a', 'bb']);
    expect([...loadSafetensors(mixed).tensors.half.data]).toEqual([1, -2, Infinity, 2 ** -24]);
    expect(split(small).text.endsWith(' ')).toBe(true);
  });

  test('truncated at every byte, also as a view at an odd offset of a larger buffer: refused', () => {
    for (const file of [small, mixed]) {
      const shifted = new Uint8Array(file.length + 3);
      shifted.set(file, 3);
      for (let n = 0; n < file.length; n++) {
        expectRnnError(() => loadSafetensors(file.subarray(0, n)), 'weights', 'loadSafetensors: ');
        expectRnnError(() => loadSafetensors(shifted.subarray(3, 3 + n)), 'weights', 'loadSafetensors: ');
      }
      expect(loadSafetensors(shifted.subarray(3))).toEqual(loadSafetensors(file));
    }
  });

  test('bytes after the last tensor, or between tensors: refused', () => {
    const { header, data } = split(small);
    refused(() => loadSafetensors(assemble(header, Uint8Array.of(...data, 0, 0, 0, 0))), 'the tensors end at data byte 20, but the file has 24 data bytes');
    const gap = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } };
    refused(() => loadSafetensors(assemble(gap, new Uint8Array(12))), "data bytes [4, 8) belong to no tensor (the next is 'b')");
    refused(() => loadSafetensors(assemble({}, new Uint8Array(4))), 'the tensors end at data byte 0, but the file has 4 data bytes');
  });

  test('header length: any value but the true one is refused, however large', () => {
    const { text, data } = split(small);
    const json = new TextEncoder().encode(text);
    const truth = BigInt(json.length);
    const special = [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, 100_000_001n, BigInt(small.length), ...[-4n, -3n, -2n, -1n, 1n, 2n, 8n].map((d) => truth + d)];
    fc.assert(fc.property(fc.oneof(fc.constantFrom(...special), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 200n })), (length) => {
      const file = assemble(json, data, length);
      if (length === truth) expect(Object.keys(loadSafetensors(file).tensors)).toEqual(['a', 'bb']);
      else expectRnnError(() => loadSafetensors(file), 'weights', 'loadSafetensors: ');
    }), { numRuns: 200, examples: special.map((s) => [s]) });
  });

  test('bad UTF-8 anywhere in the header: refused', () => {
    const { text, data } = split(mixed);
    const json = new TextEncoder().encode(text);
    const invalid = [[0xff], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80]];
    fc.assert(fc.property(fc.nat(json.length), fc.constantFrom(...invalid), (at, bytes) => {
      const header = Uint8Array.of(...json.subarray(0, at), ...bytes, ...json.subarray(at));
      expectRnnError(() => loadSafetensors(assemble(header, data)), 'weights', 'header is not valid UTF-8');
    }), { numRuns: 100 });
  });

  test('bad JSON: random text, or the header cut short and padded to its length: refused unless a JSON object', () => {
    const { text, data } = split(mixed);
    fc.assert(fc.property(fc.string({ maxLength: 40, unit: 'binary' }), (header) => {
      const outcome = refusedOrLoaded(() => loadSafetensors(assemble(header, new Uint8Array(0))), expectConsistent);
      if (outcome === 'loaded') expect(JSON.parse(header.replace(/^\uFEFF/, ''))).toBeInstanceOf(Object); // TextDecoder drops a BOM
    }), { numRuns: 100 });
    fc.assert(fc.property(fc.nat(text.trimEnd().length - 1), (cut) => {
      expectRnnError(() => loadSafetensors(assemble(text.slice(0, cut).padEnd(text.length), data)), 'weights', 'loadSafetensors: ');
    }), { numRuns: 100 });
    for (const header of ['[]', '1', 'null', '"F32"', 'true']) expectRnnError(() => loadSafetensors(assemble(header, data)), 'weights', 'header must be a JSON object');
  });

  test('structural changes to the header (fields, names, offsets, shapes, dtypes, metadata): refused or consistent', () => {
    for (const file of [small, mixed]) {
      const parts = split(file);
      fc.assert(fc.property(headerMutation, (m) => {
        refusedOrLoaded(() => loadSafetensors(assemble(mutateHeader(parts, m), parts.data)), expectConsistent);
      }), { numRuns: 150 });
    }
  });

  test('random byte changes in the header: refused or consistent', () => {
    const headerEnd = 8 + split(mixed).text.length;
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(headerEnd - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (changes) => {
      const file = mixed.slice();
      for (const [at, value] of changes) file[at] = value;
      refusedOrLoaded(() => loadSafetensors(file), expectConsistent);
    }), { numRuns: 200 });
  });

  test.each([
    ['an unsafe-integer offset', { w: { dtype: 'F32', shape: [1], data_offsets: [0, 2 ** 53 + 2] } }, 'expected [begin, end], non-negative integers'],
    ['a fractional offset', { w: { dtype: 'F32', shape: [1], data_offsets: [0.5, 4] } }, 'expected [begin, end], non-negative integers'],
    ['three offsets', { w: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, 'expected [begin, end]'],
    ['offsets reversed', { w: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, "'w' has data_offsets [4, 0] outside the 4 data bytes"],
    ['a declared size of 1 TiB', { w: { dtype: 'F32', shape: [2 ** 38], data_offsets: [0, 2 ** 40] } }, 'outside the 4 data bytes'],
    ['a shape of 2^32 bytes', { w: { dtype: 'F32', shape: [2 ** 30], data_offsets: [0, 4] } }, '4294967296 bytes, but data_offsets [0, 4] hold 4'],
    ['a shape whose size passes 2^53', { w: { dtype: 'F32', shape: [2 ** 30, 2 ** 30, 2 ** 30], data_offsets: [0, 4] } }, 'but data_offsets [0, 4] hold 4'],
    ['an unsafe-integer dimension', { w: { dtype: 'F32', shape: [2 ** 53 + 2, 0], data_offsets: [0, 0] } }, 'expected an array of non-negative integers'],
    ['a fractional dimension', { w: { dtype: 'F32', shape: [0.5, 2], data_offsets: [0, 4] } }, 'expected an array of non-negative integers'],
    ['a nested shape', { w: { dtype: 'F32', shape: [[1]], data_offsets: [0, 4] } }, 'has shape [[1]]'],
    ['an integer dtype', { w: { dtype: 'I64', shape: [1], data_offsets: [0, 4] } }, 'has dtype "I64"; supported: F32, F16, BF16, F64'],
    ['a lower-case dtype', { w: { dtype: 'f32', shape: [1], data_offsets: [0, 4] } }, 'has dtype "f32"'],
    ["the dtype 'constructor'", { w: { dtype: 'constructor', shape: [1], data_offsets: [0, 4] } }, 'has dtype "constructor"'],
    ["the dtype '__proto__'", { w: { dtype: '__proto__', shape: [1], data_offsets: [0, 4] } }, 'has dtype "__proto__"'],
    ['a dtype that is not a string', { w: { dtype: 4, shape: [1], data_offsets: [0, 4] } }, 'has dtype 4'],
    ['an entry that is not an object', { w: [1, 2] }, "'w' must be an object with dtype, shape and data_offsets"],
    ['__metadata__ a string', { __metadata__: 'format=pt', w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, '__metadata__ must be an object of strings'],
    ['__metadata__ an array', { __metadata__: ['a'], w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, '__metadata__ must be an object of strings'],
    ['__metadata__ null', { __metadata__: null, w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, '__metadata__ must be an object of strings'],
    ['__metadata__ holding an object', { __metadata__: { config: { hiddenSize: 8 } }, w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, "__metadata__ 'config' must be a string"],
  ])('%s: refused', (_name, header, part) => refused(() => loadSafetensors(assemble(header, new Uint8Array(4))), part as string));

  test('a field named twice inside an entry: refused (JSON.parse would keep the last silently)', () => {
    refused(() => loadSafetensors(assemble('{"w": {"dtype": "F16", "dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', new Uint8Array(4))),
      "header names 'dtype' twice in one object");
    refused(() => loadSafetensors(assemble('{"__metadata__": {"kind": "a", "kind": "b"}}', new Uint8Array(0))), "header names 'kind' twice in one object");
  });

  test('values nested 100000 deep: refused with RnnError, not a stack overflow', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const header of [`{"__metadata__": {"a": ${deep}}}`, `{"w": {"dtype": "F32", "shape": ${deep}, "data_offsets": [0, 0]}}`,
      `{"w": {"dtype": ${deep}, "shape": [], "data_offsets": [0, 0]}}`, `{"w": {"dtype": "F32", "shape": [0], "data_offsets": ${deep}}}`, deep]) {
      refused(() => loadSafetensors(assemble(header, new Uint8Array(0))));
    }
  });

  test("a tensor named '__proto__' is an ordinary name, not the prototype of the result", () => {
    const file = assemble('{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}', new Uint8Array(4));
    const { tensors } = loadSafetensors(file);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
  });

  test('a very long name is cut in messages', () => {
    const name = 'n'.repeat(100_000);
    let message = '';
    try {
      loadSafetensors(assemble({ [name]: { dtype: 'Q8', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)));
    } catch (e) {
      message = (e as RnnError).message;
    }
    expect(message).toContain("has dtype \"Q8\"");
    expect(message.length).toBeLessThan(300);
  });

  test("not bytes at all: 'weights'", () => {
    for (const value of ['abc', null, undefined, 42, new Int8Array(16), [0, 0, 0, 0, 0, 0, 0, 0]]) {
      refused(() => loadSafetensors(value as unknown as Uint8Array), 'expected a Uint8Array or ArrayBuffer');
    }
  });
});

// ---------------------------------------------------------------- model files

/** The model file with its metadata (a copy) changed by `change`. */
function withMetadata(file: Uint8Array, change: (metadata: Record<string, string>) => void): Uint8Array {
  const parts = split(file);
  const header = clone(parts.header);
  change(header.__metadata__ as Record<string, string>);
  return assemble(header, parts.data);
}

/** The model file with config[key] = value (undefined: the option removed). */
function withConfig(file: Uint8Array, key: string, value: unknown): Uint8Array {
  return withMetadata(file, (metadata) => {
    const config = JSON.parse(metadata.config) as Record<string, unknown>;
    setOwn(config, key, value);
    metadata.config = JSON.stringify(config);
  });
}

describe('loadModel: damaged model files', () => {
  test('truncated at every byte: refused, and the module works after each', () => {
    const file = goldenModelFile('sequential'); // 836 bytes
    for (let n = 0; n < file.length; n++) refused(() => loadModel(file.subarray(0, n)), 'load');
  });

  test('random byte changes anywhere, in float and int8 files: refused or a working model', () => {
    const start = heapBytes();
    for (const file of [lm, good, int8]) {
      fc.assert(fc.property(fc.array(fc.tuple(fc.nat(file.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (changes) => {
        const damaged = file.slice();
        for (const [at, value] of changes) damaged[at] = value;
        refusedOrLoaded(() => loadModel(damaged), exercise);
      }), { numRuns: 150 });
    }
    expect(heapBytes()).toBe(start);
  });

  test('structural changes to the header: refused or a working model', () => {
    const parts = split(lm);
    fc.assert(fc.property(headerMutation, (m) => {
      refusedOrLoaded(() => loadModel(assemble(mutateHeader(parts, m), parts.data)), exercise);
    }), { numRuns: 200 });
  });

  test('hostile metadata and config values: refused or a working model, and the heap does not grow', () => {
    const start = heapBytes();
    const files = ['lm_gru_tied', 'classifier_lstm_last', 'sequential', 'generator_lstm', 'seq2seq_gru']; // names: short counterexamples
    const keys = ['vocabSize', 'embeddingDim', 'hiddenSize', 'numClasses', 'numLayers', 'cell', 'bidirectional', 'pooling', 'head', 'activation',
      'paddingIdx', 'tieWeights', 'srcVocabSize', 'tgtVocabSize', 'featureSize', 'layers', 'dropout', '__proto__', 'constructor'];
    fc.assert(fc.property(fc.constantFrom(...files), fc.constantFrom(...keys), hostileValue, (file, key, value) => {
      refusedOrLoaded(() => loadModel(withConfig(goldenModelFile(file), key, value)), exercise);
    }), { numRuns: 200 });
    fc.assert(fc.property(fc.constantFrom(...files), fc.constantFrom('format', 'formatVersion', 'kind', 'config'), fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (file, key, value) => {
      refusedOrLoaded(() => loadModel(withMetadata(goldenModelFile(file), (metadata) => (metadata[key] = value))), exercise);
    }), { numRuns: 100 });
    expect(heapBytes()).toBe(start);
  });

  test.each([
    ['no format', (m: Record<string, string>) => delete m.format, 'not an rnn-wasm model file'],
    ['a newer format version', (m: Record<string, string>) => (m.formatVersion = '2'), 'format version 2, newer than this rnn-wasm reads (1)'],
    ['format version 1e9', (m: Record<string, string>) => (m.formatVersion = '1e9'), 'format version 1000000000, newer'],
    ['format version 0', (m: Record<string, string>) => (m.formatVersion = '0'), 'bad formatVersion "0"'],
    ['format version 1.5', (m: Record<string, string>) => (m.formatVersion = '1.5'), 'bad formatVersion "1.5"'],
    ['no kind', (m: Record<string, string>) => delete m.kind, 'unknown model kind undefined'],
    ["the kind 'constructor'", (m: Record<string, string>) => (m.kind = 'constructor'), 'unknown model kind "constructor"; this version reads TextClassifier'],
    ["the kind '__proto__'", (m: Record<string, string>) => (m.kind = '__proto__'), 'unknown model kind "__proto__"'],
    ["the kind 'toString'", (m: Record<string, string>) => (m.kind = 'toString'), 'unknown model kind "toString"'],
    ['config not JSON', (m: Record<string, string>) => (m.config = '{"vocabSize": 23,'), "metadata 'config' is not valid JSON"],
    ['no config', (m: Record<string, string>) => delete m.config, "metadata 'config' is not valid JSON"],
    ['config null', (m: Record<string, string>) => (m.config = 'null'), 'config: LanguageModel: the config must be an object, got null'],
    ['config an array', (m: Record<string, string>) => (m.config = '[23, 8, 8]'), 'the config must be an object, got [23,8,8]'],
    ['config a number', (m: Record<string, string>) => (m.config = '8'), 'the config must be an object, got 8'],
  ])('metadata: %s: refused', (_name, change, part) => {
    refused(() => loadModel(withMetadata(lm, change as (m: Record<string, string>) => void)), part as string);
  });

  test.each([
    ['hiddenSize negative', 'hiddenSize', -1, 'config: LanguageModel: hiddenSize must be a positive integer, got -1'],
    ['hiddenSize 0', 'hiddenSize', 0, 'hiddenSize must be a positive integer, got 0'],
    ['hiddenSize fractional', 'hiddenSize', 7.5, 'hiddenSize must be a positive integer, got 7.5'],
    ['hiddenSize a string', 'hiddenSize', '8', 'hiddenSize must be a positive integer, got "8"'],
    ['hiddenSize null', 'hiddenSize', null, 'hiddenSize must be a positive integer, got null'],
    ['hiddenSize 2^31', 'hiddenSize', 2 ** 31, 'hiddenSize must be a positive integer, got 2147483648'],
    ['hiddenSize 1e9', 'hiddenSize', 1e9, 'the config describes a LanguageModel of'],
    ['hiddenSize 30000', 'hiddenSize', 30000, 'but the file holds only'],
    ['vocabSize 2^31 - 1', 'vocabSize', 2 ** 31 - 1, 'the config describes a LanguageModel of'],
    ['numLayers 1e6', 'numLayers', 1e6, 'the config describes a LanguageModel of'],
    ['numLayers 2^53', 'numLayers', 2 ** 53, 'numLayers must be a positive integer'],
    ['cell in capitals', 'cell', 'GRU', "cell must be 'rnn', 'gru' or 'lstm', got \"GRU\""],
    ["cell 'constructor'", 'cell', 'constructor', 'cell must be'],
    ['tieWeights a string', 'tieWeights', 'true', 'tieWeights must be true or false, got "true"'],
    ['an unknown option', 'dropout', 0.5, 'unknown option "dropout"; the options are vocabSize, embeddingDim, hiddenSize, cell, numLayers, tieWeights'],
    ['an option named __proto__', '__proto__', { hiddenSize: 8 }, 'unknown option "__proto__"'],
    ['no vocabSize', 'vocabSize', undefined, "the config needs 'vocabSize' (a positive integer)"],
    ['embeddingDim unlike hiddenSize with tied weights', 'embeddingDim', 6, 'tieWeights needs hiddenSize (8) == embeddingDim (6)'],
  ])('LanguageModel config: %s: refused', (_name, key, value, part) => {
    const start = heapBytes();
    refused(() => loadModel(withConfig(lm, key as string, value)), part as string);
    expect(heapBytes()).toBe(start);
  });

  test.each([
    ['activation toString', 'activation', 'toString', "activation must be 'relu', 'tanh' or 'sigmoid', got \"toString\""],
    ['pooling constructor', 'pooling', 'constructor', "pooling must be 'last', 'mean' or 'max'"],
    ['head not an array', 'head', 12, 'head must be an array of positive integers, got 12'],
    ['head a string', 'head', '12', 'head must be an array of positive integers, got "12"'],
    ['head of zero', 'head', [0], 'head must be an array of positive integers, got [0]'],
    ['head of 1e9', 'head', [1e9], 'the config describes a TextClassifier of'],
    ['numClasses 0', 'numClasses', 0, 'numClasses must be a positive integer'],
    ['paddingIdx past the vocabulary', 'paddingIdx', 23, 'paddingIdx'],
    ['paddingIdx fractional', 'paddingIdx', 0.5, 'paddingIdx must be an integer or null, got 0.5'],
    ['bidirectional 1', 'bidirectional', 1, 'bidirectional must be true or false, got 1'],
  ])('TextClassifier config: %s: refused', (_name, key, value, part) => {
    refused(() => loadModel(withConfig(good, key as string, value)), part as string);
  });

  test.each([
    ['layers not an array', 3, 'layers must be an array, got 3'],
    ['a null layer', [null], 'layer 0 has type undefined'],
    ["a layer of type 'toString'", [{ type: 'toString' }], 'layer 0 has type "toString"; supported: linear, relu, tanh, sigmoid'],
    ['inFeatures a string', [{ type: 'linear', inFeatures: '4', outFeatures: 8 }], 'layer 0: inFeatures must be a positive integer, got "4"'],
    ['an activation with sizes', [{ type: 'relu', inFeatures: 4 }], "layer 0: unknown option \"inFeatures\""],
    ['a huge layer', [{ type: 'linear', inFeatures: 4, outFeatures: 2 ** 30 }], 'the config describes a Sequential of'],
  ])('Sequential config: %s: refused', (_name, layers, part) => {
    refused(() => loadModel(withConfig(goldenModelFile('sequential'), 'layers', layers)), part as string);
  });

  test("a tensor named 'rnn.__proto__' is an unexpected name, not silently dropped", () => {
    const { tensors, metadata } = loadSafetensors(lm);
    const extra = Object.fromEntries([...Object.entries(tensors), ['rnn.__proto__', new Tensor([1], [1])]]);
    refused(() => loadModel(saveSafetensors(extra, metadata)), "unexpected '__proto__'");
  });

  test('a thousand unexpected long names: the message names five, cut, and counts the rest', () => {
    const { tensors, metadata } = loadSafetensors(lm);
    const extra = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`extra${i}.${'x'.repeat(1000)}`, new Tensor([i], [1])]));
    let message = '';
    try {
      loadModel(saveSafetensors({ ...tensors, ...extra }, metadata));
    } catch (e) {
      message = (e as RnnError).message;
    }
    expect(message).toContain("LanguageModel.loadStateDict (strict): unexpected 'extra0.xxx");
    expect(message).toContain('and 995 more');
    expect(message.length).toBeLessThan(1000);
    expectModuleWorks();
  });

  test('a zero-size tensor with a dimension past 2^31: refused, naming it', () => {
    const { tensors, metadata } = loadSafetensors(lm);
    const { header, data } = split(saveSafetensors({ ...tensors, 'rnn.bias_hh_l0': Tensor.zeros([0]) }, metadata));
    (header['rnn.bias_hh_l0'] as { shape: number[] }).shape = [0, 2 ** 40]; // still 0 bytes: the file is well-formed
    refused(() => loadModel(assemble(header, data)), "'bias_hh_l0' has shape [0, 1099511627776]; dimensions above 2147483647 are not supported");
  });

  test('a file that is valid but holds garbage weights (NaN, Inf, 1e38) loads and computes without throwing', () => {
    const { tensors, metadata } = loadSafetensors(good);
    const poison = [NaN, Infinity, -Infinity, 1e38, -1e38, 0];
    const garbage = Object.fromEntries(Object.entries(tensors).map(([name, t]) =>
      [name, new Tensor(t.data.map((_, i) => poison[i % poison.length]), t.shape)]));
    const model = loadModel(saveSafetensors(garbage, metadata)) as TextClassifier;
    try {
      const probs = model.predict(TEXTS);
      expect(probs.map((p) => p.length)).toEqual([2, 2, 2]);
    } finally {
      model.dispose();
    }
    expectModuleWorks();
  });
});

describe('loadModel: damaged int8 model files (export(..., dtype="int8"))', () => {
  const loads = () => exercise(loadModel(int8));

  /** The file with the F32 scales `name` changed at row `row` to `value`. */
  function withScale(name: string, row: number, value: number): Uint8Array {
    const parts = split(int8);
    const [begin] = (parts.header[name] as { data_offsets: number[] }).data_offsets;
    const data = parts.data.slice();
    new DataView(data.buffer).setFloat32(begin + 4 * row, value, true);
    return assemble(parts.header, data);
  }
  const scalesOf = (change: (scales: Record<string, string>) => void) => (metadata: Record<string, string>) => {
    const scales = JSON.parse(metadata.int8Scales) as Record<string, string>;
    change(scales);
    metadata.int8Scales = JSON.stringify(scales);
  };

  test('the intact file loads, as int8', () => {
    loads();
    const model = loadModel(int8) as TextClassifier;
    expect(() => model.train()).toThrow(/int8, for inference only/);
    model.dispose();
    expectModuleWorks();
  });

  test.each([
    ['a zero', 0, "its scales 'head.0.weight.scale' hold 0 at row 5; scales must be finite and positive"],
    ['a negative', -0.5, "hold -0.5 at row 5"],
    ['a NaN', NaN, 'hold NaN at row 5'],
    ['an infinite', Infinity, 'hold Infinity at row 5'],
  ])('%s scale: refused, naming the weight and its scales', (_what, value, part) => {
    refused(() => loadModel(withScale('head.0.weight.scale', 5, value)), part);
  });

  test('scales missing, of the wrong shape, or not named: refused, naming the tensor', () => {
    refused(() => loadModel(withMetadata(int8, scalesOf((s) => delete s['rnn.weight_hh_l0']))),
      "int8 weight 'rnn.weight_hh_l0' has no scales: metadata 'int8Scales' does not name them");
    refused(() => loadModel(withMetadata(int8, scalesOf((s) => (s['rnn.weight_hh_l0'] = 'nowhere')))),
      "int8 weight 'rnn.weight_hh_l0': its scales 'nowhere' are not in the file");
    refused(() => loadModel(withMetadata(int8, scalesOf((s) => (s['head.2.weight'] = 'head.0.weight.scale')))),
      "int8 weight 'head.2.weight': its scales 'head.0.weight.scale' have shape [16], expected (3), one per row");
    refused(() => loadModel(withMetadata(int8, (m) => delete m.int8Scales)), "but no metadata 'int8Scales' naming its scales");
    refused(() => loadModel(withMetadata(int8, (m) => (m.int8Scales = '{'))), "metadata 'int8Scales' is not valid JSON");
    refused(() => loadModel(withMetadata(int8, scalesOf((s) => (s['rnn.bias_ih_l0'] = 'rnn.weight_hh_l0.scale')))),
      "metadata 'int8Scales' names 'rnn.bias_ih_l0', which is not an int8 tensor of the file");
  });

  test("an int8 weight of another shape than the config's model has: refused, naming it", () => {
    refused(() => loadModel(withConfig(int8, 'head', [8])), "int8 weight 'head.0.weight' has shape [16,48], expected [8,48]");
  });
});

describe('loadCheckpoint: damaged checkpoints (from PyTorch: a TextClassifier and its Adam state)', () => {
  const checkpoint = new Uint8Array(readFileSync(new URL('../golden/checkpoints/classifier_adam.from_pytorch.safetensors', import.meta.url)));
  /** Trains one step from what a loaded checkpoint holds (damaged weights may be NaN: step() then refuses them, typed), then frees it. */
  const resume = (run: ReturnType<typeof loadCheckpoint<TextClassifier>>) => {
    try {
      run.model.train();
      run.optimizer?.zeroGrad();
      run.model.loss([[1, 2, 3]], [0]);
      run.optimizer?.step();
    } catch (e) {
      if (!(e instanceof RnnError)) throw e;
    } finally {
      run.optimizer?.dispose();
      run.model.dispose();
    }
  };

  test('truncated at every byte: refused, and the module works after each', () => {
    for (let n = 0; n < checkpoint.length; n += 7) refused(() => loadCheckpoint(checkpoint.subarray(0, n)));
  });

  test('random byte changes anywhere: refused or a checkpoint that trains on, and the heap does not grow', () => {
    const start = heapBytes();
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(checkpoint.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (changes) => {
      const damaged = checkpoint.slice();
      for (const [at, value] of changes) damaged[at] = value;
      refusedOrLoaded(() => loadCheckpoint<TextClassifier>(damaged), resume);
    }), { numRuns: 150 });
    expect(heapBytes()).toBe(start);
  });

  test('hostile metadata values: refused or a checkpoint that trains on', () => {
    const keys = ['format', 'formatVersion', 'kind', 'config', 'step', 'epoch', 'rng', 'optimizer', 'optimizer.param_groups', '__proto__'];
    fc.assert(fc.property(fc.constantFrom(...keys), fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (key, value) => {
      refusedOrLoaded(() => loadCheckpoint<TextClassifier>(withMetadata(checkpoint, (metadata) => (metadata[key] = value))), resume);
    }), { numRuns: 200 });
  });
});

test('Sequential built by hand refuses a malformed config with RnnError, not a TypeError', () => {
  expectRnnError(() => new Sequential(null as unknown as { layers: [] }), 'argument', 'Sequential: the config must be an object, got null');
  expectRnnError(() => new Sequential({ layers: 'relu' } as unknown as { layers: [] }), 'argument', 'Sequential: layers must be an array');
});
