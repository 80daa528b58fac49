// npm run size: the bytes a web app ships for each build, raw and gzip (level 9): the module
// embedding its wasm (what init() loads by default), the Emscripten glue (one for every build)
// and the TypeScript API (dist/**/*.js, unminified); the bare .wasm (for init({ wasmUrl })) and
// fit()'s worker script (loaded only when fit starts a worker) beside.
// Below, the demo's model files (int8 weights and vocabularies), what its page fetches.
// `--check` fails when a build's embedded wasm plus glue passes the budget of 100 KB gzip (a
// bundler minifies the API besides), or the demo's models pass 3 MB together; without it, the
// tables also replace the README's.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

import { writeReadmeSection } from './readme-section.mjs';

const BUDGET_GZIP = 100 * 1024;
const MODELS = 'web-demo/public/models';
const MODELS_BUDGET = 3e6;
const WORKER = 'dist/fit/worker-source.mjs';
const api = readdirSync('dist', { recursive: true }).map((f) => `dist/${f}`).filter((f) => f.endsWith('.js') && !f.startsWith('dist/wasm/'));
const sizeOf = (files) => files.reduce((s, f) => {
  const bytes = readFileSync(f);
  return { raw: s.raw + bytes.length, gzip: s.gzip + gzipSync(bytes, { level: 9 }).length };
}, { raw: 0, gzip: 0 });
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

let over = false;
const lines = [
  '| build | wasm embedded in JS | JS glue | shipped: both (budget 100 KB gzip) | TypeScript API (unminified) | bare .wasm | fit\'s worker script (minified) |',
  '|---|---:|---:|---:|---:|---:|---:|',
];
for (const build of ['relaxed', 'simd', 'baseline', 'relaxed-threads', 'simd-threads']) {
  const embedded = sizeOf([`dist/wasm/rnn-${build}.bytes.mjs`]);
  const glue = sizeOf(['dist/wasm/rnn.mjs']);
  const shipped = { raw: embedded.raw + glue.raw, gzip: embedded.gzip + glue.gzip };
  const cell = (p) => `${kb(p.raw)} (${kb(p.gzip)} gzip)`;
  lines.push(`| ${build} | ${cell(embedded)} | ${cell(glue)} | ${cell(shipped)} | ${cell(sizeOf(api))} | ${cell(sizeOf([`dist/wasm/rnn-${build}.wasm`]))} | ${cell(sizeOf([WORKER]))} |`);
  if (shipped.gzip > BUDGET_GZIP) over = true;
}
const models = readdirSync(MODELS).sort().map((f) => ({ f, ...sizeOf([`${MODELS}/${f}`]) }));
const total = models.reduce((s, m) => ({ raw: s.raw + m.raw, gzip: s.gzip + m.gzip }), { raw: 0, gzip: 0 });
const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
lines.push('', '| demo model file | bytes | gzip |', '|---|---:|---:|');
for (const m of models) lines.push(`| ${m.f} | ${mb(m.raw)} | ${mb(m.gzip)} |`);
lines.push(`| **all (budget 3 MB)** | **${mb(total.raw)}** | ${mb(total.gzip)} |`);
if (total.raw > MODELS_BUDGET) over = true;
const table = lines.join('\n');
console.log(table);
if (process.argv.includes('--check')) {
  if (over) {
    console.error(`size: a build is over the budget of ${kb(BUDGET_GZIP)} gzip, or the demo's models over ${mb(MODELS_BUDGET)}`);
    process.exit(1);
  }
  console.log(`size: every build is within ${kb(BUDGET_GZIP)} gzip, the demo's models within ${mb(MODELS_BUDGET)}`);
} else {
  writeReadmeSection('size', table);
}
