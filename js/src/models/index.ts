// Models composed from layers, each the twin of a PyTorch module in python/rnn_wasm/models.py
// (same architecture, same state_dict names): TextClassifier (many-to-one) and LanguageModel
// (synchronous many-to-many, with a streaming session), Seq2Seq (encoder-decoder),
// SequenceGenerator (one-to-many) and Sequential (one-to-one). loadModel builds any from a file.
// This file re-exports the public names of the files beside it (js/src/index.ts publishes them).
export { type CellKind, type ModelOptions, type RecurrentLayer } from './model.js';
export { TextClassifier, type TextClassifierConfig } from './text-classifier.js';
export { LanguageModel, LanguageModelSession, LanguageModelTrainState, type LanguageModelConfig } from './language-model.js';
export { Seq2Seq, type Seq2SeqConfig } from './seq2seq.js';
export { SequenceGenerator, type SequenceGeneratorConfig } from './sequence-generator.js';
export { Sequential, type SequentialLayer } from './sequential.js';
export { type SampleOptions, type GenerateOptions, type DecodeOptions, type Decoded } from './decoding.js';
export { loadModel, MODEL_FORMAT_VERSION, type AnyModel, type LoadModelOptions } from './model-file.js';
