// Node ESM, as a user writes it: import 'rnn-wasm', init() with no options, check the numbers,
// and fit() in a worker_threads worker. With no options, Node runs threads where it has cores.
import { availableParallelism } from 'node:os';

import { runCheck, runFitCheck } from './check.js';

const result = await runCheck();
const fitted = await runFitCheck();
console.log(JSON.stringify({ ...result, fit: fitted }));
const expected = availableParallelism() > 1 ? 'simd-threads' : 'simd';
process.exit(result.ok && result.backend === expected && fitted.ok ? 0 : 1);
