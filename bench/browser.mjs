// npm run bench -- --browser [--quick]: the workloads of npm run bench in Debian's Chromium, on a
// cross-origin-isolated local page (so both can use threads): rnn-wasm's relaxed and SIMD builds
// and ONNX Runtime Web on 1 thread, then both on 2 and on 4, each in its own Worker, interleaved
// round by round on the same weights and inputs, after idle and back to back. Writes the Chromium
// tables of the README and docs/benchmarks.md. Ratios are peer time / rnn-wasm time in the same
// rounds (above 1: faster).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

import { init } from 'rnn-wasm';

import { writeReadmeSection } from '../scripts/readme-section.mjs';
import { resultOfPage } from '../tests/e2e/browser.mjs';
import { readRateLine } from './read-rate.mjs';
import { median } from './timing.mjs';
import { WORKLOADS, writeWeights } from './workloads.mjs';

const FOLDER = 'build/bench';
const quick = process.argv.includes('--quick');
// rnn-<build>[:threads] and ort<threads>, one page after the other. 4 threads on this 2-core
// machine are oversubscribed, and have a page of their own: in pages of six and seven runtimes
// with ONNX Runtime Web 4T, every threaded runtime ran W1 back to back at about one thread's
// speed, each in its own blocks of calls (rnn-wasm 2T 1.55-1.60 ms, ONNX Runtime Web 2T 2.0-4.0;
// in the same six without it, 0.86 and 1.18).
const PAGES = [['rnn-relaxed', 'rnn-simd', 'ort1', 'rnn-relaxed-threads:2', 'ort2'], ['rnn-relaxed-threads:4', 'ort4']];
// settleMs: idle before each timed call, longer than any runtime's threads spin after a call, so
// that none takes cores from the next runtime's call: ONNX Runtime Web's pool spins about 40 ms
// (a core busy after every call, sampled in /proc/stat; with 20 ms, rnn-wasm relaxed's W3 took
// 1.02 ms after ONNX Runtime Web 4T, 0.51 ms with 100), rnn-wasm's well under 1 ms.
const settings = {
  workloads: WORKLOADS, warmUpMs: quick ? 500 : 1500, settleMs: 100,
  rounds: { W1: quick ? 5 : 21, W2: quick ? 5 : 21, W3: quick ? 5 : 21, W4: quick ? 3 : 7 },
  calls: { W1: 1, W2: 1, W3: 64, W4: 1 },
  // Back to back: per workload, `pairs` rounds of blocks (each runtime in turn, the order reversed
  // every other round), each leadMs of untimed calls, longer than any pool spins, then blockMs.
  blocks: { leadMs: 60, blockMs: 200, pairs: { W1: quick ? 2 : 5, W2: quick ? 2 : 5, W3: quick ? 2 : 5, W4: quick ? 1 : 3 } },
};

await init(); // writeWeights makes the layers whose weights the page loads
writeWeights(FOLDER);
execFileSync('/usr/bin/python3', ['bench/make_onnx.py', FOLDER], { stdio: 'inherit' });

const pages = [];
for (const runtimes of PAGES) {
  pages.push(await resultOfPage(`/bench/browser/page.html#${encodeURIComponent(JSON.stringify({ ...settings, runtimes }))}`, {
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  }));
}
// Every ratio below pairs two runtimes of the same page.
const result = { ...pages[0], runtimes: Object.assign({}, ...pages.map((p) => p.runtimes)) };

const names = Object.keys(result.runtimes);
const [relaxed, simd, ort1, relaxed2, ort2, relaxed4, ort4] = names;
const cell = (v) => (v < 10 ? v.toFixed(3) : v.toFixed(1));
// Each peer against rnn-wasm at the same thread count, and rnn-wasm's 2 threads against its 1.
const ratios = [[ort1, relaxed, '1T'], [ort1, simd, '1T simd'], [ort2, relaxed2, '2T'], [ort4, relaxed4, '4T*'], [relaxed, relaxed2, 'rnn 1T / 2T']];
// One table per way of timing: `ms` and `samples` (after idle) or `blockMs` and `blockSamples`
// (back to back). A ratio is the median over rounds of the two runtimes' ratio within a round.
function timingTable(msKey, samplesKey) {
  const run = (name, id) => result.runtimes[name][id];
  const ratio = (a, b, id) => median(run(a, id)[samplesKey].map((t, i) => t / run(b, id)[samplesKey][i]));
  const lines = [
    `| workload | ${names.map((n) => `${n} (ms)`).join(' | ')} | ${ratios.map(([, , label]) => label).join(' | ')} |`,
    `|---|${'---:|'.repeat(names.length + ratios.length)}`,
  ];
  for (const id of Object.keys(WORKLOADS)) {
    lines.push(`| ${id} ${WORKLOADS[id].title} | ${names.map((n) => cell(run(n, id)[msKey])).join(' | ')} | ${ratios.map(([a, b]) => `${ratio(a, b, id).toFixed(2)}x`).join(' | ')} |`);
  }
  return lines.join('\n');
}
// Outputs agree: the largest difference from rnn-wasm relaxed's, per runtime.
const apart = names.slice(1).map((n) => {
  const worst = Math.max(...Object.keys(WORKLOADS).map((id) => {
    const a = result.runtimes[relaxed][id].output, b = result.runtimes[n][id].output;
    return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
  }));
  return `${n}: ${worst.toExponential(1)}`;
});
const { blocks } = settings;
const table = `After ${settings.settleMs} ms idle before each call (ms, medians of ${settings.rounds.W1} rounds, W4 ${settings.rounds.W4}):

${timingTable('ms', 'samples')}

Back to back: each runtime in turn calls for ${blocks.blockMs} ms after ${blocks.leadMs} ms of untimed calls (ms, medians of ${blocks.pairs.W1} rounds of such blocks, W4 ${blocks.pairs.W4}, of each block's median call):

${timingTable('blockMs', 'blockSamples')}

Chromium ${result.version}, cross-origin isolated: ${result.crossOriginIsolated}, ${result.cores} cores. Ratios: the peer's time over rnn-wasm's at the same thread count (above 1: rnn-wasm is faster), the median over rounds of the ratio within a round; the last, rnn-wasm's 1 thread over its 2. *4 threads on ${result.cores} cores are oversubscribed; the 4-thread pair ran in a page of its own, after the others. Largest difference from rnn-wasm relaxed's outputs: ${apart.join('; ')}.\n\n${readRateLine(WORKLOADS, result.readRates, { [relaxed]: result.runtimes[relaxed], [relaxed2]: result.runtimes[relaxed2] })}`;
console.log(table);

writeReadmeSection('bench -- --browser', table);
const section = `<!-- browser: begin -->
## In Chromium

\`npm run bench -- --browser\` runs the same workloads, weights and inputs in Debian's Chromium on a
cross-origin-isolated local page (COOP \`same-origin\`, COEP \`require-corp\`), each runtime in its
own module Worker (the 4-thread pair in a second page: ONNX Runtime Web 4T slowed every threaded
runtime that shared its page), called in turn round after round (W3 ${settings.calls.W3} steps per sample) after a
${settings.warmUpMs} ms warm-up each, timed two ways. After idle: ${settings.settleMs} ms idle before each timed call,
longer than any runtime's threads spin after a call (ONNX Runtime Web's pool about 40 ms), so
that none takes cores from the next runtime's call. Back to back: in blocks of calls, each
after ${blocks.leadMs} ms of untimed calls for the same reason. One run, ${new Date().toISOString().slice(0, 10)}:

${table}
<!-- browser: end -->
`;
const doc = readFileSync('docs/benchmarks.md', 'utf8');
const from = doc.indexOf('<!-- browser: begin -->'), to = doc.indexOf('<!-- browser: end -->');
writeFileSync('docs/benchmarks.md', from >= 0 && to > from ? doc.slice(0, from) + section.trimEnd() + doc.slice(to + '<!-- browser: end -->'.length) : `${doc.trimEnd()}\n\n${section}`);
