// Node ESM, as a user writes it: import 'rnn-wasm', init() with no options, check the numbers,
// and fit() in a worker_threads worker. With no options, Node runs threads where it has cores.
import { availableParallelism } from 'node:os';

import { runCheck, runFitCheck } from './check.js';

const result = await runCheck();
const fitted = await runFitCheck();
console.log(JSON.stringify({ ...result, fit: fitted }));
// Relaxed SIMD runs by default from V8 11.4 (Node 22); Node 20's V8 11.3 needs a flag.
const [major, minor] = process.versions.v8.split('.').map(Number);
const kernels = major > 11 || (major === 11 && minor >= 4) ? 'relaxed' : 'simd';
const expected = availableParallelism() > 1 ? `${kernels}-threads` : kernels;
process.exit(result.ok && result.backend === expected && fitted.ok ? 0 : 1);
