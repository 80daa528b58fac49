// Model files: loadModel builds any model from a .safetensors file written by
// rnn_wasm.models.export, after checking its format version, kind, config and size.
import { RnnError } from '../errors.js';
import { loadSafetensors } from '../safetensors.js';
import { preview, type Tensor } from '../tensor.js';
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
 * `options.weights`: `'float32'` (the default) or `'int8'`, which quantizes the weight
 * matrices at load (`model.quantize('int8')`, docs/int8.md).
 *
 * @example
 * const model = loadModel(await (await fetch('sentiment.safetensors')).arrayBuffer());
 * const small = loadModel(bytes, { weights: 'int8' });
 */
export function loadModel(bytes: Uint8Array | ArrayBuffer, options: LoadModelOptions = {}): AnyModel {
  const weights = options.weights ?? 'float32';
  if (weights !== 'float32' && weights !== 'int8') throw new RnnError('argument', `loadModel: weights must be 'float32' or 'int8', got ${preview(weights)}`);
  const { tensors, metadata } = loadSafetensors(bytes);
  checkFileFormat(metadata, { format: 'rnn-wasm', version: MODEL_FORMAT_VERSION, what: 'model file', writer: 'rnn_wasm.models.export' }, 'loadModel');
  const model = modelFromState(metadata.kind, metadata.config, tensors, 'loadModel');
  if (weights === 'int8') {
    try {
      model.quantize('int8');
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return model;
}

/** Options of `loadModel`. */
export interface LoadModelOptions {
  /** How the weight matrices are kept: `'float32'` (the default) or `'int8'`. */
  weights?: 'float32' | 'int8';
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
export function modelFromState(kind: string | undefined, configText: string | undefined, tensors: Record<string, Tensor>, owner: string): AnyModel {
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
    const held = Object.values(tensors).reduce((n, t) => n + t.size, 0);
    if (wanted > 2 * held) fail(`the config describes a ${kind} of ${wanted} parameters, but the file holds only ${held}`);
    model = new Kind(config as TextClassifierConfig & LanguageModelConfig & Seq2SeqConfig & SequenceGeneratorConfig & { layers: SequentialLayer[] });
  } catch (e) {
    if (e instanceof RnnError && e.code === 'argument') throw new RnnError('weights', `${owner}: config: ${e.message}`);
    throw e;
  }
  try {
    model.loadStateDict(tensors, { strict: true });
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
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
