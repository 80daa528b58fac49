// The safetensors format (github.com/huggingface/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?:
// {string: string}}, then the tensors' bytes, offsets counted from the end of the header.
// Every check runs before any data is read; each failure is RnnError 'weights' naming it.
// As in the reference implementation, the tensors must tile the data exactly: no overlap, no
// gap, no trailing byte (so a header length off by a few padding spaces cannot shift the data).
import { RnnError } from './errors.js';
import { Tensor, preview, quote } from './tensor.js';

/** Tensors by name and the file's string metadata. */
export interface Safetensors {
  /** The floating-point tensors, as float32. */
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
  /** The I8 tensors (int8 model files), as they are. */
  int8: Record<string, Int8Tensor>;
}

/** An I8 tensor of a file, its bytes as they are: row-major `data`, `shape`. */
export interface Int8Tensor {
  data: Int8Array;
  shape: number[];
}

export interface LoadSafetensorsOptions {
  /** Keep only tensors whose names start with this, and strip it: `'encoder.rnn.'`. */
  prefix?: string;
}

// Bytes per element of each dtype read (converted to float32; I8 kept as it is).
const ITEM_SIZE: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I8: 1 };
// The reference implementation refuses headers above 100 MB; so do we.
const MAX_HEADER_BYTES = 100_000_000;

function fail(message: string): never {
  throw new RnnError('weights', `loadSafetensors: ${message}`);
}

/**
 * Reads a `.safetensors` file: F32, F16, BF16 and F64 tensors, all given as float32 in
 * `tensors`, and I8 tensors (int8 model files, docs/int8.md) as they are in `int8`.
 *
 * @example
 * const { tensors } = loadSafetensors(await (await fetch('lstm.safetensors')).arrayBuffer());
 * lstm.loadStateDict(tensors);
 */
export function loadSafetensors(bytes: Uint8Array | ArrayBuffer, options: LoadSafetensorsOptions = {}): Safetensors {
  const file = bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : fail('expected a Uint8Array or ArrayBuffer');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.byteLength < 8) fail(`file is ${file.byteLength} bytes, shorter than the 8-byte header length`);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(file.byteLength - 8)) {
    fail(`header length ${headerLength} runs past the end of the file (${file.byteLength - 8} bytes after the length)`);
  }
  if (headerLength > BigInt(MAX_HEADER_BYTES)) fail(`header length ${headerLength} is over the ${MAX_HEADER_BYTES}-byte limit`);
  const dataStart = 8 + Number(headerLength);
  const dataLength = file.byteLength - dataStart;

  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.subarray(8, dataStart));
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header must be a JSON object');
  const duplicate = firstDuplicateKey(text);
  if (duplicate) fail(`header names ${quote(duplicate.key)} twice${duplicate.topLevel ? '' : ' in one object'}`);

  const metadata = readMetadata((header as Record<string, unknown>).__metadata__);
  const entries = Object.entries(header as Record<string, unknown>).filter(([name]) => name !== '__metadata__');
  const spans: { name: string; begin: number; end: number }[] = [];
  const described = entries.map(([name, value]) => {
    const entry = describeEntry(name, value, dataLength);
    spans.push({ name, begin: entry.begin, end: entry.end });
    return entry;
  });
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let end = 0; // how far the tensors so far tile the data
  spans.forEach((b, i) => {
    if (b.begin > end) fail(`data bytes [${end}, ${b.begin}) belong to no tensor (the next is ${quote(b.name)})`);
    const a = spans[i - 1];
    if (b.begin < end) fail(`tensors ${quote(a.name)} [${a.begin}, ${a.end}) and ${quote(b.name)} [${b.begin}, ${b.end}) overlap`);
    end = b.end;
  });
  if (end !== dataLength) fail(`the tensors end at data byte ${end}, but the file has ${dataLength} data bytes`);

  // Object.fromEntries defines own properties: a tensor named '__proto__' stays a tensor.
  const prefix = options.prefix ?? '';
  const kept = described.filter((entry) => entry.name.startsWith(prefix));
  const tensors: Record<string, Tensor> = Object.fromEntries(kept.filter((entry) => entry.dtype !== 'I8').map((entry) =>
    [entry.name.slice(prefix.length), new Tensor(decode(entry.dtype, view, dataStart + entry.begin, entry.count), entry.shape)]));
  const int8: Record<string, Int8Tensor> = Object.fromEntries(kept.filter((entry) => entry.dtype === 'I8').map((entry) =>
    [entry.name.slice(prefix.length), { data: new Int8Array(file.buffer, file.byteOffset + dataStart + entry.begin, entry.count).slice(), shape: entry.shape }]));
  return { tensors, metadata, int8 };
}

// JSON.parse keeps the last of two equal keys silently; a header naming a tensor (or a field of
// one) twice is ambiguous, so every object's keys are scanned for repeats. `text` is valid JSON.
function firstDuplicateKey(text: string): { key: string; topLevel: boolean } | undefined {
  const open: (Set<string> | null)[] = []; // per open bracket: the keys seen so far ({) or null ([)
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '{') open.push(new Set());
    else if (ch === '[') open.push(null);
    else if (ch === '}' || ch === ']') open.pop();
    else if (ch === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const keys = open[open.length - 1];
      if (!keys) continue; // a string in an array
      let next = i + 1;
      while (' \t\n\r'.includes(text[next])) next++; // JSON's whitespace
      if (text[next] !== ':') continue; // a value, not a key
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      if (keys.has(key)) return { key, topLevel: open.length === 1 };
      keys.add(key);
    }
  }
  return undefined;
}

function readMetadata(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('__metadata__ must be an object of strings');
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail(`__metadata__ ${quote(key)} must be a string, got ${preview(v)}`);
  }
  return { ...(value as Record<string, string>) };
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  count: number;
  begin: number;
  end: number;
}

function describeEntry(name: string, value: unknown, dataLength: number): Entry {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${quote(name)} must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length) fail(`${quote(name)} has unknown field${extra.length > 1 ? 's' : ''} ${extra.slice(0, 5).map((k) => quote(k)).join(', ')}`);
  if (typeof dtype !== 'string' || !Object.hasOwn(ITEM_SIZE, dtype)) {
    fail(`${quote(name)} has dtype ${preview(dtype)}; supported: ${Object.keys(ITEM_SIZE).join(', ')}`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`${quote(name)} has shape ${preview(shape)}; expected an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`${quote(name)} has data_offsets ${preview(offsets)}; expected [begin, end], non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) fail(`${quote(name)} has data_offsets [${begin}, ${end}] outside the ${dataLength} data bytes`);
  // In floating point: the product of a hostile shape may pass 2^53, which still compares right.
  const count = (shape as number[]).reduce((n, d) => n * d, 1);
  const bytes = count * ITEM_SIZE[dtype];
  if (bytes !== end - begin) {
    fail(`${quote(name)} has shape ${preview(shape)} of ${dtype}, ${bytes} bytes, but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype, shape: shape as number[], count, begin, end };
}

// Little-endian reads through DataView: data offsets need not be aligned.
function decode(dtype: string, view: DataView, at: number, count: number): Float32Array {
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(at + 4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(at + 2 * i, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        word.setUint32(0, view.getUint16(at + 2 * i, true) << 16);
        out[i] = word.getFloat32(0);
      }
      break;
    }
  }
  return out;
}

// IEEE 754 binary16 -> number: sign, 5-bit exponent (bias 15), 10-bit fraction.
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * Writes tensors (as F32) and string metadata in the safetensors format.
 *
 * @example
 * const bytes = saveSafetensors(lstm.stateDict(), { format: 'pt' });
 */
export function saveSafetensors(tensors: Record<string, Tensor> | Map<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const entries = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of entries) {
    if (name === '__metadata__') throw new RnnError('argument', "saveSafetensors: '__metadata__' cannot name a tensor");
    header[name] = { dtype: 'F32', shape: [...tensor.shape], data_offsets: [offset, offset + tensor.data.byteLength] };
    offset += tensor.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8); // data starts 8-byte aligned
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const [, tensor] of entries) {
    for (let i = 0; i < tensor.data.length; i++) view.setFloat32(at + 4 * i, tensor.data[i], true);
    at += tensor.data.byteLength;
  }
  return out;
}
