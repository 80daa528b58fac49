// Where threads start to pay: recurrent layers of growing size, timed on one thread (the simd
// build) and on 2 (simd-threads with the pool's thresholds set to 0, so that every call is
// split), each in a fresh process, alternating. Prints a table of ms per call and the speed-up;
// cpp/parallel/pool.h's thresholds are chosen from it (docs/benchmarks.md).
//   node bench/thresholds.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { median } from './timing.mjs';

const quick = process.argv.includes('--quick');
const here = fileURLToPath(import.meta.url);
// [label, layer, hidden, batch, steps]: the recurrent product's multiply-adds per step are
// gates * hidden^2 * batch (LSTM: 4).
const SHAPES = [
  ...[32, 48, 64, 96, 128, 192, 256].map((h) => [`LSTM ${h}, batch 1, T 64`, 'LSTM', h, 1, 64]),
  ...[8, 16, 32, 64].map((h) => [`LSTM ${h}, batch 4, T 16`, 'LSTM', h, 4, 16]),
  ...[16, 32, 64].map((h) => [`GRU ${h}, batch 8, T 8`, 'GRU', h, 8, 8]),
];

if (process.argv[2] === '--child') {
  const [, , , backend, threads, shapesJson] = process.argv;
  const R = await import('rnn-wasm');
  Object.assign((await import('../dist/threads.js')).thresholds, { stepWork: 0, sequenceWork: 0 });
  await R.init({ backend, threads: Number(threads) });
  const out = {};
  for (const [label, kind, hidden, batch, steps] of JSON.parse(shapesJson)) {
    const layer = new R[kind]({ inputSize: hidden, hiddenSize: hidden, seed: 1 });
    const x = new R.Tensor(Float32Array.from({ length: steps * batch * hidden }, (_, i) => Math.sin(i)), [steps, batch, hidden]);
    const calls = Math.max(5, Math.round(2e7 / (4 * hidden * hidden * batch * steps)));
    for (let i = 0; i < calls; i++) layer.forward(x); // warm-up: V8's optimised code
    const samples = [];
    for (let r = 0; r < (quick ? 5 : 11); r++) {
      const start = performance.now();
      for (let i = 0; i < calls; i++) layer.forward(x);
      samples.push((performance.now() - start) / calls);
    }
    out[label] = median(samples);
    layer.dispose();
  }
  process.stdout.write(JSON.stringify(out));
} else {
  const run = (backend, threads) => JSON.parse(execFileSync(process.execPath, [here, '--child', backend, String(threads), JSON.stringify(SHAPES), ...(quick ? ['--quick'] : [])], { encoding: 'utf8' }));
  const ones = [], twos = [];
  for (let round = 0; round < 3; round++) {
    ones.push(run('simd', 1));
    twos.push(run('simd-threads', 2));
  }
  const lines = ['| layer | multiply-adds per step | 1 thread (ms) | 2 threads, always split (ms) | speed-up |', '|---|---:|---:|---:|---:|'];
  for (const [label, kind, hidden, batch] of SHAPES) {
    const one = median(ones.map((r) => r[label])), two = median(twos.map((r) => r[label]));
    const work = (kind === 'LSTM' ? 4 : 3) * hidden * hidden * batch;
    lines.push(`| ${label} | ${work.toLocaleString('en')} | ${one.toFixed(3)} | ${two.toFixed(3)} | ${(one / two).toFixed(2)}x |`);
  }
  const table = lines.join('\n');
  console.log(table);
  const section = `<!-- thresholds: begin -->
## Where threads start to pay

\`npm run bench -- --thresholds\` (bench/thresholds.mjs) times layers of growing size on one thread
(the simd build) and on 2 (simd-threads with the thresholds set to 0, so that every call is split),
each in a fresh Node process, three times alternating, medians (${quick ? 5 : 11} samples each). One run,
${new Date().toISOString().slice(0, 10)}, Node ${process.version}:

${table}

The thresholds (cpp/parallel/pool.h, Settings): a batch-1 layer is split when its recurrent product has at least
16,384 multiply-adds per step, a batch when the product over the whole sequence has at least as
many; below that 2 threads gained 11% or less. Each step (batch 1) or job costs the threads a
few microseconds; a page where other work competes for the cores gains less.
<!-- thresholds: end -->`;
  const doc = readFileSync('docs/benchmarks.md', 'utf8');
  const from = doc.indexOf('<!-- thresholds: begin -->'), to = doc.indexOf('<!-- thresholds: end -->');
  writeFileSync('docs/benchmarks.md', from >= 0 && to > from ? doc.slice(0, from) + section + doc.slice(to + '<!-- thresholds: end -->'.length) : `${doc.trimEnd()}\n\n${section}\n`);
}
