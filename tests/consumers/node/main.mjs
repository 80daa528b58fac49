// Node ESM, as a user writes it: import 'rnn-wasm', init() with no options, check the numbers,
// and fit() in a worker_threads worker.
import { runCheck, runFitCheck } from './check.js';

const result = await runCheck();
const fitted = await runFitCheck();
console.log(JSON.stringify({ ...result, fit: fitted }));
process.exit(result.ok && result.backend === 'simd' && fitted.ok ? 0 : 1);
