// npm run bench -- --browser [--quick]: the workloads of npm run bench in Debian's Chromium, on a
// cross-origin-isolated local page (so both can use threads): rnn-wasm's relaxed and SIMD builds
// and ONNX Runtime Web on 1 thread, then both on 2 and on 4, each in its own Worker, interleaved
// round by round on the same weights and inputs. Writes the Chromium table of the README and
// docs/benchmarks.md. Ratios are peer time / rnn-wasm time in the same run (above 1: faster).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

import { init } from 'rnn-wasm';

import { writeReadmeSection } from '../scripts/readme-section.mjs';
import { resultOfPage } from '../tests/e2e/browser.mjs';
import { readRateLine } from './read-rate.mjs';
import { WORKLOADS, writeWeights } from './workloads.mjs';

const FOLDER = 'build/bench';
const quick = process.argv.includes('--quick');
// rnn-<build>[:threads] and ort<threads>. 4 threads on this 2-core machine are oversubscribed.
const RUNTIMES = ['rnn-relaxed', 'rnn-simd', 'ort1', 'rnn-relaxed-threads:2', 'ort2', 'rnn-relaxed-threads:4', 'ort4'];
// settleMs: idle before each timed call, longer than any runtime's threads spin after a call, so
// that none takes cores from the next runtime's call: ONNX Runtime Web's pool spins about 40 ms
// (a core busy after every call, sampled in /proc/stat; with 20 ms, rnn-wasm relaxed's W3 took
// 1.02 ms after ONNX Runtime Web 4T, 0.51 ms with 100), rnn-wasm's well under 1 ms.
const settings = {
  runtimes: RUNTIMES, workloads: WORKLOADS, warmUpMs: quick ? 500 : 1500, settleMs: 100,
  rounds: { W1: quick ? 5 : 21, W2: quick ? 5 : 21, W3: quick ? 5 : 21, W4: quick ? 3 : 7 },
  calls: { W1: 1, W2: 1, W3: 64, W4: 1 },
};

await init(); // writeWeights makes the layers whose weights the page loads
writeWeights(FOLDER);
execFileSync('/usr/bin/python3', ['bench/make_onnx.py', FOLDER], { stdio: 'inherit' });

const result = await resultOfPage(`/bench/browser/page.html#${encodeURIComponent(JSON.stringify(settings))}`, {
  headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
});

const names = Object.keys(result.runtimes);
const [relaxed, simd, ort1, relaxed2, ort2, relaxed4, ort4] = names;
const ms = (name, id) => result.runtimes[name][id].ms;
const cell = (v) => (v < 10 ? v.toFixed(3) : v.toFixed(1));
// Each peer against rnn-wasm at the same thread count, and rnn-wasm's 2 threads against its 1.
const ratios = [[ort1, relaxed, '1T'], [ort1, simd, '1T simd'], [ort2, relaxed2, '2T'], [ort4, relaxed4, '4T*'], [relaxed, relaxed2, 'rnn 1T / 2T']];
const lines = [
  `| workload | ${names.map((n) => `${n} (ms)`).join(' | ')} | ${ratios.map(([, , label]) => label).join(' | ')} |`,
  `|---|${'---:|'.repeat(names.length + ratios.length)}`,
];
for (const id of Object.keys(WORKLOADS)) {
  lines.push(`| ${id} ${WORKLOADS[id].title} | ${names.map((n) => cell(ms(n, id))).join(' | ')} | ${ratios.map(([a, b]) => `${(ms(a, id) / ms(b, id)).toFixed(2)}x`).join(' | ')} |`);
}
// Outputs agree: the largest difference from rnn-wasm relaxed's, per runtime.
const apart = names.slice(1).map((n) => {
  const worst = Math.max(...Object.keys(WORKLOADS).map((id) => {
    const a = result.runtimes[relaxed][id].output, b = result.runtimes[n][id].output;
    return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
  }));
  return `${n}: ${worst.toExponential(1)}`;
});
const table = `${lines.join('\n')}\n\nChromium ${result.version}, cross-origin isolated: ${result.crossOriginIsolated}, ${result.cores} cores. Ratios: the peer's time over rnn-wasm's at the same thread count (above 1: rnn-wasm is faster); the last, rnn-wasm's 1 thread over its 2. *4 threads on ${result.cores} cores are oversubscribed. Largest difference from rnn-wasm relaxed's outputs: ${apart.join('; ')}.\n\n${readRateLine(WORKLOADS, result.readRates, { [relaxed]: result.runtimes[relaxed], [relaxed2]: result.runtimes[relaxed2] })}`;
console.log(table);

writeReadmeSection('bench -- --browser', table);
const section = `<!-- browser: begin -->
## In Chromium

\`npm run bench -- --browser\` runs the same workloads, weights and inputs in Debian's Chromium on a
cross-origin-isolated local page (COOP \`same-origin\`, COEP \`require-corp\`), each runtime in its
own module Worker, called in turn round after round (${settings.rounds.W1} rounds, W4 ${settings.rounds.W4}; W3 ${settings.calls.W3} steps per sample)
after a ${settings.warmUpMs} ms warm-up each, with ${settings.settleMs} ms idle before each timed call: longer than
any runtime's threads spin after a call (ONNX Runtime Web's pool about 40 ms), so that none takes
cores from the next runtime's call; medians. One run, ${new Date().toISOString().slice(0, 10)}:

${table}
<!-- browser: end -->
`;
const doc = readFileSync('docs/benchmarks.md', 'utf8');
const from = doc.indexOf('<!-- browser: begin -->'), to = doc.indexOf('<!-- browser: end -->');
writeFileSync('docs/benchmarks.md', from >= 0 && to > from ? doc.slice(0, from) + section.trimEnd() + doc.slice(to + '<!-- browser: end -->'.length) : `${doc.trimEnd()}\n\n${section}`);
