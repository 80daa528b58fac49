// npm run size: the bytes a web app ships for each build: its wasm, its Emscripten glue and the
// TypeScript API (dist/*.js), raw and gzip (level 9). `--check` fails when a build passes the
// budget: 100 KB gzip of wasm plus JS per build.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_GZIP = 100 * 1024;
const api = readdirSync('dist').filter((f) => f.endsWith('.js')).map((f) => `dist/${f}`);
const sizeOf = (files) => files.reduce((s, f) => {
  const bytes = readFileSync(f);
  return { raw: s.raw + bytes.length, gzip: s.gzip + gzipSync(bytes, { level: 9 }).length };
}, { raw: 0, gzip: 0 });
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

let over = false;
console.log('| build | wasm | JS glue | TypeScript API | total |');
console.log('|---|---:|---:|---:|---:|');
for (const build of ['simd', 'baseline']) {
  const parts = [sizeOf([`dist/wasm/rnn-${build}.wasm`]), sizeOf([`dist/wasm/rnn-${build}.mjs`]), sizeOf(api)];
  const total = parts.reduce((s, p) => ({ raw: s.raw + p.raw, gzip: s.gzip + p.gzip }), { raw: 0, gzip: 0 });
  const cell = (p) => `${kb(p.raw)} (${kb(p.gzip)} gzip)`;
  console.log(`| ${build} | ${parts.map(cell).join(' | ')} | ${cell(total)} |`);
  if (total.gzip > BUDGET_GZIP) over = true;
}
if (process.argv.includes('--check')) {
  if (over) {
    console.error(`size: a build is over the budget of ${kb(BUDGET_GZIP)} gzip`);
    process.exit(1);
  }
  console.log(`size: every build is within ${kb(BUDGET_GZIP)} gzip`);
}
