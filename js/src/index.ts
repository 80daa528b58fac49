/**
 * rnn-wasm: recurrent neural networks for the web, with PyTorch's numbers.
 *
 * @example
 * import { init, Tensor, LSTMCell } from 'rnn-wasm';
 * await init();
 */
export { init, backend, threads, heapBytes, simdSupported, relaxedSimdSupported, type InitOptions, type Backend } from './init.js';
export { RnnError, type RnnErrorCode } from './errors.js';
export { Tensor } from './tensor.js';
export { liveObjectCount, type WasmObject } from './lifetime.js';
export { Module, type StateDict, type LoadOptions, type Trainable } from './module.js';
export { RNNCell, GRUCell, LSTMCell, type CellOptions, type RNNCellOptions, type CellGradients } from './cells.js';
export { Linear, type LinearOptions } from './linear.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { sigmoid, tanh, relu, softmax, ReLU, Tanh, Sigmoid } from './activations.js';
export {
  RNN, GRU, LSTM, Recurrent, RecurrentState, type RecurrentOptions, type RNNOptions, type LSTMOptions, type ForwardOptions, type LayerGradients,
} from './recurrent.js';
export { crossEntropy, mseLoss, type CrossEntropyOptions, type LossResult, type Reduction } from './losses.js';
export * as optim from './optim.js';
export { clipGradNorm, type OptimizerStateDict } from './optim.js';
export { loadSafetensors, saveSafetensors, type Safetensors, type LoadSafetensorsOptions, type Int8Tensor } from './safetensors.js';
export {
  TextClassifier, LanguageModel, LanguageModelSession, LanguageModelTrainState, Seq2Seq, SequenceGenerator, Sequential, loadModel, MODEL_FORMAT_VERSION,
  type TextClassifierConfig, type LanguageModelConfig, type Seq2SeqConfig, type SequenceGeneratorConfig, type SequentialLayer,
  type SampleOptions, type GenerateOptions, type DecodeOptions, type Decoded, type CellKind, type RecurrentLayer, type AnyModel, type LoadModelOptions, type ModelOptions,
} from './models/index.js';
export { tokenizeSst2, tokenizeWords, Vocabulary, type VocabularyFile } from './tokenizers.js';
export { Random } from './random.js';
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT_VERSION, type Checkpoint } from './checkpoint.js';
export { fit, type FitOptions, type FitHandle, type OptimizerConfig } from './fit/fit.js';
export { type FitProgress, type FitResult } from './fit/loop.js';
export { type Validation } from './fit/tasks.js';
