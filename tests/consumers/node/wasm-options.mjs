// init({ wasmUrl }) and init({ wasmBinary }) with the package's bare .wasm files, one per process
// (init() loads once): `node wasm-options.mjs url` or `node wasm-options.mjs binary`.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

import { runCheck } from './check.js';

const require = createRequire(import.meta.url);
const file = (build) => require.resolve(`rnn-wasm/wasm/rnn-${build}.wasm`);
const mode = process.argv[2];
const result = mode === 'url'
  ? await runCheck({ wasmUrl: pathToFileURL(file('simd')) })
  : await runCheck({ backend: 'baseline', wasmBinary: readFileSync(file('baseline')) });
console.log(JSON.stringify(result));
process.exit(result.ok && result.backend === (mode === 'url' ? 'simd' : 'baseline') ? 0 : 1);
