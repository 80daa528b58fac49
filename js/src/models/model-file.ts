// Model files: loadModel builds any model from a .safetensors file written by
// rnn_wasm.models.export, after checking its format version, kind, config and size.
import { RnnError } from '../errors.js';
import { wasm } from '../init.js';
import { loadSafetensors, type Int8Tensor } from '../safetensors.js';
import { Tensor, preview, quote, quoteSome } from '../tensor.js';
import { LanguageModel, languageModelConfig, type LanguageModelConfig } from './language-model.js';
import type { CellKind } from './model.js';
import { Seq2Seq, seq2SeqConfig, type Seq2SeqConfig } from './seq2seq.js';
import { SequenceGenerator, sequenceGeneratorConfig, type SequenceGeneratorConfig } from './sequence-generator.js';
import { Sequential, checkSequentialConfig, type SequentialLayer } from './sequential.js';
import { TextClassifier, textClassifierConfig, type TextClassifierConfig } from './text-classifier.js';

/** The model file format this version reads and the Python `export` writes. */
export const MODEL_FORMAT_VERSION = 1;

/**
 * Builds a model from a `.safetensors` file written by `rnn_wasm.models.export`: the
 * state_dict plus metadata naming the kind, its configuration and the format version.
 *
 * `options.weights`: how the weight matrices are kept. By default as the file holds them: a
 * float file (float32 or float16) loads as float32, and a file written with
 * `export(..., dtype='int8')` as int8, with no float copy. `'int8'` quantizes a float file at
 * load (`model.quantize('int8')`, docs/int8.md). `'float32'` turns an int8 file's weights
 * into float32 (W' = q * scale, the values its int8 model computes with), for a model to
 * fine-tune: int8 is for inference only.
 *
 * @example
 * const model = loadModel(await (await fetch('sentiment.safetensors')).arrayBuffer());
 * const small = loadModel(bytes, { weights: 'int8' });
 */
export function loadModel(bytes: Uint8Array | ArrayBuffer, options: LoadModelOptions = {}): AnyModel {
  const weights = options.weights;
  if (weights !== undefined && weights !== 'float32' && weights !== 'int8') throw new RnnError('argument', `loadModel: weights must be 'float32' or 'int8', got ${preview(weights)}`);
  const { tensors, metadata, int8 } = loadSafetensors(bytes);
  checkFileFormat(metadata, { format: 'rnn-wasm', version: MODEL_FORMAT_VERSION, what: 'model file', writer: 'rnn_wasm.models.export' }, 'loadModel');
  let quantized = int8Weights(metadata, tensors, int8);
  if (quantized && weights === 'float32') {
    for (const [name, w] of quantized) tensors[name] = dequantize(w);
    quantized = null;
  }
  const model = modelFromState(metadata.kind, metadata.config, tensors, 'loadModel', quantized);
  if (weights === 'int8' || quantized) {
    try {
      model.quantize('int8');
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return model;
}

interface Int8Weight {
  q: Int8Tensor;
  scales: Float32Array;
}

/**
 * An int8 file's weight matrices (docs/int8.md): each I8 tensor with the F32 scales that the
 * metadata entry `int8Scales` ({ weight: scales tensor }) names, taken out of `tensors`. Null for
 * a file without them. Missing, misshapen, zero, negative or non-finite scales are RnnError
 * 'weights' naming the tensor.
 */
function int8Weights(metadata: Record<string, string>, tensors: Record<string, Tensor>, int8: Record<string, Int8Tensor>): Map<string, Int8Weight> | null {
  const fail = (message: string): never => {
    throw new RnnError('weights', `loadModel: ${message}`);
  };
  const names = Object.keys(int8);
  if (metadata.int8Scales === undefined) {
    if (names.length) fail(`int8 tensor ${quote(names[0])} but no metadata 'int8Scales' naming its scales`);
    return null;
  }
  let scalesOf: unknown;
  try {
    scalesOf = JSON.parse(metadata.int8Scales);
  } catch {
    fail("metadata 'int8Scales' is not valid JSON");
  }
  if (scalesOf === null || typeof scalesOf !== 'object' || Array.isArray(scalesOf)) fail("metadata 'int8Scales' must be an object of { weight: scales tensor }");
  const map = scalesOf as Record<string, unknown>;
  const out = new Map<string, Int8Weight>();
  for (const name of names) {
    const q = int8[name];
    if (q.shape.length !== 2) fail(`int8 weight ${quote(name)} has shape ${preview(q.shape)}; int8 is for weight matrices (rows, cols)`);
    const scaleName = map[name];
    if (typeof scaleName !== 'string') fail(`int8 weight ${quote(name)} has no scales: metadata 'int8Scales' does not name them`);
    const scale = Object.hasOwn(tensors, scaleName as string) ? tensors[scaleName as string] : fail(`int8 weight ${quote(name)}: its scales ${quote(scaleName as string)} are not in the file`);
    if (scale.shape.length !== 1 || scale.shape[0] !== q.shape[0]) fail(`int8 weight ${quote(name)}: its scales ${quote(scaleName as string)} have shape ${preview(scale.shape)}, expected (${q.shape[0]}), one per row`);
    const bad = scale.data.findIndex((s) => !(Number.isFinite(s) && s > 0));
    if (bad >= 0) fail(`int8 weight ${quote(name)}: its scales ${quote(scaleName as string)} hold ${scale.data[bad]} at row ${bad}; scales must be finite and positive`);
    out.set(name, { q, scales: scale.data });
  }
  for (const [name, scaleName] of Object.entries(map)) {
    if (!out.has(name)) fail(`metadata 'int8Scales' names ${quote(name)}, which is not an int8 tensor of the file`);
    delete tensors[scaleName as string];
  }
  return out;
}

/** Options of `loadModel`. */
export interface LoadModelOptions {
  /** How the weight matrices are kept: `'float32'` or `'int8'`; by default as the file holds them. */
  weights?: 'float32' | 'int8';
}

/** W' = q * scale per row, in float32: the product of an int8 and a float32 is exact in a double, so fround rounds it once, as wasm's f32 multiply does. */
function dequantize({ q, scales }: Int8Weight): Tensor {
  const [rows, cols] = q.shape;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = Math.fround(q.data[r * cols + c] * scales[r]);
  }
  return new Tensor(out, [rows, cols]);
}

/**
 * Checks a file's metadata `format` and `formatVersion` (at most `version`, which this rnn-wasm
 * reads); RnnError 'weights' naming `owner` otherwise. Model files and checkpoints share it.
 */
export function checkFileFormat(metadata: Record<string, string>, expected: { format: string; version: number; what: string; writer: string }, owner: string): void {
  const fail = (message: string): never => {
    throw new RnnError('weights', `${owner}: ${message}`);
  };
  const { format, version: newest, what, writer } = expected;
  if (metadata.format !== format) fail(`not an rnn-wasm ${what} (metadata 'format' is ${preview(metadata.format)}, expected "${format}"); write it with ${writer}`);
  const version = Number(metadata.formatVersion);
  if (!Number.isInteger(version) || version < 1) fail(`bad formatVersion ${preview(metadata.formatVersion)}`);
  if (version > newest) fail(`the file has format version ${version}, newer than this rnn-wasm reads (${newest}); update rnn-wasm`);
}

/** Any of the five model shapes. */
export type AnyModel = TextClassifier | LanguageModel | Seq2Seq | SequenceGenerator | Sequential;

/**
 * Builds the model of `kind` from its config (JSON text, as files hold it) and loads `tensors`
 * into it strictly; a bad kind, config or tensor is RnnError 'weights' naming `owner`.
 */
export function modelFromState(kind: string | undefined, configText: string | undefined, tensors: Record<string, Tensor>, owner: string, int8: Map<string, Int8Weight> | null = null): AnyModel {
  const fail = (message: string): never => {
    throw new RnnError('weights', `${owner}: ${message}`);
  };
  let config: unknown;
  try {
    config = JSON.parse(configText ?? '');
  } catch {
    fail("metadata 'config' is not valid JSON");
  }
  if (kind === undefined || !Object.hasOwn(MODEL_KINDS, kind)) fail(`unknown model kind ${preview(kind)}; this version reads ${Object.keys(MODEL_KINDS).join(', ')}`);
  const Kind = MODEL_KINDS[kind as ModelKind];
  let model: InstanceType<typeof Kind>;
  try {
    // The config is checked and its model's size compared with the file's tensors before any
    // allocation: a few bytes of config must not make the loader fill wasm memory. The exact
    // match is left to the strict load, whose message names the tensor.
    const wanted = parameterCount(kind as ModelKind, config);
    const held = Object.values(tensors).reduce((n, t) => n + t.size, 0) + [...(int8?.values() ?? [])].reduce((n, w) => n + w.q.data.length, 0);
    if (wanted > 2 * held) fail(`the config describes a ${kind} of ${wanted} parameters, but the file holds only ${held}`);
    // Every weight comes from the file: no initial draws (zeros until loaded).
    wasm()._setInitialDraws(false);
    try {
      model = new Kind(config as TextClassifierConfig & LanguageModelConfig & Seq2SeqConfig & SequenceGeneratorConfig & { layers: SequentialLayer[] });
    } finally {
      wasm()._setInitialDraws(true);
    }
  } catch (e) {
    if (e instanceof RnnError && e.code === 'argument') throw new RnnError('weights', `${owner}: config: ${e.message}`);
    throw e;
  }
  try {
    if (int8) loadInt8State(model, tensors, int8, fail);
    else model.loadStateDict(tensors, { strict: true });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

// An int8 file into a model, as strictly as a float one: every parameter comes from the file,
// as float32 or int8, and the file holds nothing else.
function loadInt8State(model: AnyModel, tensors: Record<string, Tensor>, int8: Map<string, Int8Weight>, fail: (message: string) => never): void {
  const refs = model.parameterRefs();
  const byName = new Map(refs.map((r) => [r.name, r]));
  const missing = refs.filter((r) => !Object.hasOwn(tensors, r.name) && !int8.has(r.name)).map((r) => r.name);
  const unexpected = [...Object.keys(tensors), ...int8.keys()].filter((name) => !byName.has(name));
  if (missing.length) fail(`missing ${quoteSome(missing)}`);
  if (unexpected.length) fail(`unexpected ${quoteSome(unexpected)}`);
  for (const [name, { q }] of int8) {
    const want = byName.get(name)!.shape;
    if (want.length !== 2 || want[0] !== q.shape[0] || want[1] !== q.shape[1]) fail(`int8 weight ${quote(name)} has shape ${preview(q.shape)}, expected ${preview(want)}`);
  }
  model.loadStateDict(tensors, { strict: false });
  for (const [name, { q, scales }] of int8) {
    const ref = byName.get(name)!;
    // A tied weight goes to every module that holds it (a LanguageModel's decoder).
    for (const { module, slot } of [ref, ...ref.mirrors]) module.loadInt8(slot, q.data, q.shape, scales);
  }
}

const MODEL_KINDS = { TextClassifier, LanguageModel, Seq2Seq, SequenceGenerator, Sequential } as const;
type ModelKind = keyof typeof MODEL_KINDS;

const GATES = { rnn: 1, gru: 3, lstm: 4 } as const;

/** Parameters of an RNN/GRU/LSTM layer with biases and no projection, as PyTorch counts them. */
function recurrentParameters(cell: CellKind, inputSize: number, hiddenSize: number, numLayers: number, directions: number): number {
  const rows = GATES[cell] * hiddenSize;
  const perDirection = (width: number) => rows * (width + hiddenSize + 2); // weight_ih, weight_hh, two biases
  return directions * (perDirection(inputSize) + (numLayers - 1) * perDirection(directions * hiddenSize));
}

/** Parameters of a chain of Linear layers with biases: widths[0] -> widths[1] -> ... */
function linearParameters(widths: number[]): number {
  let n = 0;
  for (let i = 1; i < widths.length; i++) n += widths[i] * (widths[i - 1] + 1);
  return n;
}

/** How many parameters the model a config describes has (checking the config first). */
function parameterCount(kind: ModelKind, config: unknown): number {
  switch (kind) {
    case 'TextClassifier': {
      const c = textClassifierConfig(config as TextClassifierConfig);
      const D = c.bidirectional ? 2 : 1;
      return c.vocabSize * c.embeddingDim + recurrentParameters(c.cell, c.embeddingDim, c.hiddenSize, c.numLayers, D) +
        linearParameters([D * c.hiddenSize, ...c.head, c.numClasses]);
    }
    case 'LanguageModel': {
      const c = languageModelConfig(config as LanguageModelConfig);
      return c.vocabSize * c.embeddingDim + recurrentParameters(c.cell, c.embeddingDim, c.hiddenSize, c.numLayers, 1) + linearParameters([c.hiddenSize, c.vocabSize]);
    }
    case 'Seq2Seq': {
      const c = seq2SeqConfig(config as Seq2SeqConfig);
      return (c.srcVocabSize + c.tgtVocabSize) * c.embeddingDim + 2 * recurrentParameters(c.cell, c.embeddingDim, c.hiddenSize, c.numLayers, 1) +
        linearParameters([c.hiddenSize, c.tgtVocabSize]);
    }
    case 'SequenceGenerator': {
      const c = sequenceGeneratorConfig(config as SequenceGeneratorConfig);
      return (c.cell === 'lstm' ? 2 : 1) * linearParameters([c.featureSize, c.numLayers * c.hiddenSize]) + c.vocabSize * c.embeddingDim +
        recurrentParameters(c.cell, c.embeddingDim, c.hiddenSize, c.numLayers, 1) + linearParameters([c.hiddenSize, c.vocabSize]);
    }
    case 'Sequential': {
      checkSequentialConfig(config as { layers: SequentialLayer[] });
      return (config as { layers: SequentialLayer[] }).layers.reduce((n, l) =>
        n + (l.type === 'linear' ? l.outFeatures * (l.inFeatures + ((l.bias ?? true) ? 1 : 0)) : 0), 0);
    }
  }
}
