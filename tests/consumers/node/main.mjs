// Node ESM, as a user writes it: import 'rnn-wasm', init() with no options, check the numbers.
import { runCheck } from './check.js';

const result = await runCheck();
console.log(JSON.stringify(result));
process.exit(result.ok && result.backend === 'simd' ? 0 : 1);
