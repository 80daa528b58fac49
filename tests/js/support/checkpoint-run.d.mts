// Types of checkpoint-run.mjs (plain JavaScript, so that child processes run it as is).
type R = typeof import('rnn-wasm');
export interface RunOptions {
  case: string;
  until: number;
  from?: string;
  save?: string;
  weights?: string;
  randomBatches?: boolean;
}
export interface Case {
  model: 'TextClassifier' | 'LanguageModel' | 'Seq2Seq';
  config: Record<string, unknown>;
  optimizer: 'SGD' | 'Adam' | 'AdamW';
  options: Record<string, unknown>;
  steps: number;
  batches: Record<string, unknown>[];
}
export function readCases(R: R): { cases: Record<string, Case>; tensors(prefix: string): Record<string, import('rnn-wasm').Tensor> };
export function train(R: R, options: RunOptions): {
  model: import('rnn-wasm').AnyModel; optimizer: import('rnn-wasm').optim.Optimizer; step: number; rng: import('rnn-wasm').Random; losses: number[];
};
