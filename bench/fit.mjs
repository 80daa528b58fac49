// npm run bench -- --fit [--quick]: fit() on the calling thread against fit() in its worker (and
// with sync() every second), T1 and T3 of the training benchmark, in Node and in Chromium, in one
// run; writes the fit section of docs/benchmarks.md. Ratios above 1: the worker is slower.
import { readFileSync, writeFileSync } from 'node:fs';

import * as R from 'rnn-wasm';

import { resultOfPage } from '../tests/e2e/browser.mjs';
import { VARIANTS, fitBench } from './fit/runs.mjs';

const quick = process.argv.includes('--quick');
const settings = quick ? { rounds: 1, steps: 10 } : { rounds: 5, steps: 100 };
const text = readFileSync('web-demo/public/data/tinyshakespeare.txt', 'utf8');
const chars = [...new Set(text)].sort();
const index = new Map(chars.map((c, i) => [c, i]));
const ids = Int32Array.from(text, (c) => index.get(c));

await R.init();
console.log(`fit bench: Node ${process.version}, ${R.backend()}, ${settings.rounds} rounds of ${settings.steps} steps`);
const node = await fitBench(R, ids, settings);

const chromium = await resultOfPage(`/bench/fit/page.html?rounds=${settings.rounds}&steps=${settings.steps}`, { timeoutMs: 30 * 60_000 });

const rate = (n) => Math.round(n).toLocaleString('en-US');
const lines = ['| workload | runtime | ' + VARIANTS.map((v) => `${v} (tokens/s)`).join(' | ') + ' | worker / calling thread | sync cost |', '|---|---|' + '---:|'.repeat(VARIANTS.length + 2)];
for (const [where, result] of [['Node', node], [`Chromium ${chromium.version}`, chromium]]) {
  for (const id of ['T1', 'T3']) {
    const [here, worker, synced] = result[id];
    lines.push(`| ${id} | ${where} | ${[here, worker, synced].map((s) => `${rate(s.wall)} (steady ${rate(s.steady)})`).join(' | ')} | ${(here.wall / worker.wall).toFixed(3)} (steady ${(here.steady / worker.steady).toFixed(3)}) | ${((worker.wall / synced.wall - 1) * 100).toFixed(1)}% |`);
  }
}
const t1 = (r) => r.T1[1].wall;
const table = lines.join('\n');
console.log(table);
console.log(`T1 in fit's worker, Chromium / Node: ${(t1(chromium) / t1(node)).toFixed(3)}`);
console.log(JSON.stringify({ node, chromium }));

const section = `<!-- fit: begin -->
## fit: in a worker or on the calling thread

\`npm run bench -- --fit\` trains T1 (the character model: LSTM 65 → 128, 32 streams of 64
characters) and T3 (the classifier: 10,000-word vocabulary, LSTM 100 → 128, batches of 64 texts
of 40 tokens) of the training benchmark through \`fit\` (Adam, clipping at 5), from the same
weights on the same batches, in ${settings.rounds} alternating rounds of ${settings.steps} steps: on
the calling thread, in fit's worker, and in the worker while the caller calls \`sync()\` every
second, after a warm-up run of each. Wall: tokens from \`fit()\` to \`done\` (worker start and weight transfers included);
steady: the median rate of the progress reports after the first. One run, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, the ${R.backend()} build:

${table}

T1 in fit's worker, Chromium ${chromium.version} / Node: ${(t1(chromium) / t1(node)).toFixed(3)}.
<!-- fit: end -->
`;
const doc = readFileSync('docs/benchmarks.md', 'utf8');
const from = doc.indexOf('<!-- fit: begin -->'), to = doc.indexOf('<!-- fit: end -->');
writeFileSync('docs/benchmarks.md', from >= 0 && to > from ? doc.slice(0, from) + section.trimEnd() + doc.slice(to + '<!-- fit: end -->'.length) : `${doc.trimEnd()}\n\n${section}`);
