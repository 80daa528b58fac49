// Types of workload.mjs (plain JavaScript, so that child processes and workers run it as is).
export function run(R: typeof import('rnn-wasm')): Record<string, number[]>;
