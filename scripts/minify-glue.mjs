// The Emscripten glue, minified: Emscripten 3.1.6 without Closure leaves its long local names,
// and esbuild's minifier takes the glue from 9.6 KB to 7.3 KB gzip, which the int8 kernels
// needed to keep every build within 100 KB. Local names only: the glue reads its exports and
// Module's members by string keys, which are left as they are.
//   node scripts/minify-glue.mjs <Emscripten's rnn.mjs> <out>
import { readFileSync, writeFileSync } from 'node:fs';

import { transformSync } from 'esbuild';

const [from, to] = process.argv.slice(2);
const { code } = transformSync(readFileSync(from, 'utf8'), { minify: true, format: 'esm', target: 'es2020' });
writeFileSync(to, code);
