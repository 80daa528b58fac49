// npm run bench: rnn-wasm against ONNX Runtime Web and TensorFlow.js on the same weights and
// inputs, in one run: warm-up, interleaved repetitions, medians. Prints a table and writes
// docs/benchmarks.md. Speed is reported as ratios to peers measured in the same run.
//   node bench/bench.mjs [--quick]          the whole benchmark (--quick: fewer repetitions)
//   node bench/bench.mjs --child <runtime>  one runtime alone, as JSON (used for runtimes that
//                                           cannot share a process: thread counts, backends)
//   node bench/bench.mjs --child <a>+<b>    two thread pools in one process, in alternating blocks
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { writeReadmeSection } from '../scripts/readme-section.mjs';
import { onnxRuntime, rnnWasm, tensorflow } from './runtimes.mjs';
import { measureModelLoad, modelLoadLine } from './model-load.mjs';
import { readRateLine, readRates } from './read-rate.mjs';
import { median, timeBlock } from './timing.mjs';
import { WORKLOADS, flops, writeWeights } from './workloads.mjs';

const FOLDER = 'build/bench';
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const child = args.includes('--child') ? args[args.indexOf('--child') + 1] : undefined;
// Per workload: timed rounds (each round times every runtime once, in turn) and calls per sample.
const ROUNDS = { W1: quick ? 5 : 21, W2: quick ? 5 : 21, W3: quick ? 5 : 21, W4: quick ? 3 : 7 };
const CALLS = { W1: 1, W2: 1, W3: 64, W4: 1 };
const SLOW_MS = 4000; // a runtime slower than this per call is timed in fewer rounds
const WARM_UP_MS = quick ? 500 : 1500;
// The 2-thread runtimes share a process and take turns in blocks (measureInBlocks): per workload,
// BLOCK_PAIRS pairs of blocks, each LEAD_MS of untimed calls (longer than ONNX Runtime Web's
// threads spin after a call, about 40 ms, so the other's pool has gone quiet: at least one call)
// and then BLOCK_MS of timed calls (at least one).
const BLOCK_PAIRS = { W1: quick ? 3 : 10, W2: quick ? 3 : 10, W3: quick ? 3 : 10, W4: quick ? 2 : 5 };
const LEAD_MS = 60;
const BLOCK_MS = 200;
// The current Node LTS (scripts/setup.sh --node-lts), where init() takes relaxed-threads: the
// 2-thread comparison runs there too when it is installed.
const NODE_LTS = 'build/node-lts/bin/node';

async function makeRuntime(name) {
  switch (name) {
    case 'rnn-simd': return rnnWasm('simd');
    case 'rnn-int8': return rnnWasm('simd', { int8: true });
    case 'rnn-baseline': return rnnWasm('baseline');
    case 'rnn-threads2': return rnnWasm('simd-threads');
    case 'rnn-relaxed-threads2': return rnnWasm('relaxed-threads');
    case 'ort1': return onnxRuntime(1, FOLDER);
    case 'ort2': return onnxRuntime(2, FOLDER);
    case 'tfjs-wasm': return tensorflow('wasm');
    case 'tfjs-cpu': return tensorflow('cpu');
    default: throw new Error(`unknown runtime ${name}`);
  }
}

/** Times `runtimes` on every workload, interleaved; returns {runtime: {W: {ms, output}}}. */
async function measure(runtimes, weights) {
  const results = Object.fromEntries(runtimes.map((r) => [r.name, {}]));
  for (const [id, w] of Object.entries(WORKLOADS)) {
    const runners = [];
    for (const runtime of runtimes) {
      try {
        runners.push({ runtime, runner: await runtime.setup(w, weights) });
      } catch (e) {
        results[runtime.name][id] = { error: String(e.message ?? e).split('\n')[0] };
      }
    }
    const samples = new Map(runners.map((r) => [r, []]));
    for (const r of runners) {
      // Warm-up: V8 runs wasm first as baseline (Liftoff) code and swaps in optimised code
      // only for later calls of a hot function, so the first calls of every runtime are up to
      // 2x slower than its steady state. Each runner is called for WARM_UP_MS before timing;
      // a call slower than SLOW_MS is its own sample instead.
      const start = performance.now();
      r.output = await r.runner.run();
      const first = performance.now() - start;
      if (first > SLOW_MS) samples.get(r).push(first);
      else while (performance.now() - start < WARM_UP_MS) r.output = await r.runner.run();
    }
    for (let round = 0; round < ROUNDS[id]; round++) {
      for (const r of runners) {
        const times = samples.get(r);
        if (times.length && median(times) > SLOW_MS && (times.length >= 3 || median(times) > 3 * SLOW_MS)) continue;
        const start = performance.now();
        for (let c = 0; c < CALLS[id]; c++) await r.runner.run();
        times.push((performance.now() - start) / CALLS[id]);
      }
    }
    for (const r of runners) {
      results[r.runtime.name][id] = { ms: median(samples.get(r)), samples: samples.get(r), output: Array.from(r.output.slice(-w.batch * w.hidden)) };
      console.error(`bench: ${id} ${r.runtime.name}: ${median(samples.get(r)).toFixed(3)} ms`);
      r.runner.dispose?.();
    }
  }
  return results;
}

/**
 * Times two runtimes that each run a pool of threads, in one process: per workload, pairs of
 * blocks in alternating order, each block LEAD_MS of untimed calls and then BLOCK_MS of timed
 * ones. `samples` holds each block's median call, so that speedRatio pairs the two runtimes'
 * blocks of the same pair. Why blocks and not processes run in turn: this VM moves its two vCPUs
 * between placements every few hundred ms to seconds (a round trip of a cache line between the
 * two threads 112 or 330 ns), and rnn-wasm's 2-thread W1 with them (0.91-0.93 against 1.24-1.29
 * ms in one process), so runs in separate processes met different placements; a block pair
 * meets one. Calls back to back: with idle between calls, this VM's kernel wakes a thread on
 * the busy core once the other has idled about 15 ms (bench/browser.mjs measures that case).
 */
async function measureInBlocks(runtimes, weights) {
  const results = Object.fromEntries(runtimes.map((r) => [r.name, {}]));
  for (const [id, w] of Object.entries(WORKLOADS)) {
    const runners = [];
    for (const runtime of runtimes) runners.push({ runtime, runner: await runtime.setup(w, weights), samples: [] });
    const sample = (r) => async () => {
      const start = performance.now();
      for (let c = 0; c < CALLS[id]; c++) r.output = await r.runner.run();
      return (performance.now() - start) / CALLS[id];
    };
    for (const r of runners) for (const start = performance.now(); performance.now() - start < WARM_UP_MS;) await sample(r)();
    for (let pair = 0; pair < BLOCK_PAIRS[id]; pair++) {
      for (const r of pair % 2 ? [...runners].reverse() : runners) {
        r.samples.push(await timeBlock(sample(r), { leadMs: LEAD_MS, blockMs: BLOCK_MS }));
      }
    }
    for (const r of runners) {
      results[r.runtime.name][id] = { ms: median(r.samples), samples: r.samples, output: Array.from(r.output.slice(-w.batch * w.hidden)) };
      console.error(`bench: ${id} ${r.runtime.name}: ${median(r.samples).toFixed(3)} ms (blocks)`);
      r.runner.dispose?.();
    }
  }
  return results;
}

function runChild(name, node = process.execPath) {
  try {
    const results = JSON.parse(execFileSync(node, [new URL(import.meta.url).pathname, '--child', name, ...(quick ? ['--quick'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    // Its rounds are not rnn-wasm's: no per-round pairing (speedRatio) with the main process's
    // runtimes. Two runtimes timed in blocks keep theirs as `blocks`, to pair with each other.
    for (const runtime of Object.values(results)) {
      for (const w of Object.values(runtime)) {
        if (name.includes('+')) w.blocks = w.samples;
        delete w.samples;
      }
    }
    return results;
  } catch (e) {
    return Object.fromEntries(name.split('+').map((n) => [n, { error: `failed: ${String(e.message).split('\n')[0]}` }]));
  }
}

function coldStart(which) {
  const times = [];
  for (let i = 0; i < (quick ? 3 : 7); i++) {
    const out = execFileSync(process.execPath, [new URL('./cold.mjs', import.meta.url).pathname, which, FOLDER], { encoding: 'utf8' });
    times.push(JSON.parse(out).ms);
  }
  return median(times);
}

async function main() {
  const rnn = await import('rnn-wasm');
  // Explicit builds: init()'s default in Node would be the threaded one.
  const initOptions = {
    'rnn-baseline': { backend: 'baseline' },
    'rnn-threads2': { backend: 'simd-threads', threads: 2 },
    'rnn-relaxed-threads2': { backend: 'relaxed-threads', threads: 2 },
  };
  await rnn.init(initOptions[child?.split('+')[0]] ?? { backend: 'simd' });
  const weights = {};
  for (const name of ['lstm1', 'gru1', 'lstm2']) {
    weights[name] = rnn.loadSafetensors(readFileSync(`${FOLDER}/${name}.safetensors`)).tensors;
  }
  if (child) {
    const names = child.split('+');
    const runtimes = [];
    for (const name of names) runtimes.push(await makeRuntime(name));
    const results = await (names.length > 1 ? measureInBlocks(runtimes, weights) : measure(runtimes, weights));
    console.log(JSON.stringify(results));
    return;
  }
  const results = await measure([await makeRuntime('rnn-simd'), await makeRuntime('rnn-int8'), await makeRuntime('ort1'), await makeRuntime('tfjs-wasm')], weights);
  const rates = readRates(WORKLOADS);
  Object.assign(results, runChild('rnn-baseline'), runChild('rnn-threads2+ort2'), runChild('tfjs-cpu'));
  const lts = existsSync(NODE_LTS)
    ? { version: execFileSync(NODE_LTS, ['--version'], { encoding: 'utf8' }).trim(), results: runChild('rnn-relaxed-threads2+ort2', NODE_LTS) }
    : undefined;
  if (!lts) console.error(`bench: no ${NODE_LTS} (scripts/setup.sh --node-lts): the 2-thread comparison runs on ${process.version} only`);
  const cold = { 'rnn-wasm simd': coldStart('rnn-wasm'), 'ONNX Runtime Web 1T': coldStart('ort'), 'TensorFlow.js wasm': coldStart('tfjs-wasm') };
  const load = measureModelLoad(rnn, quick ? 3 : 9);
  const native = JSON.parse(execFileSync('build/native/native_bench', { encoding: 'utf8' }));
  report(results, cold, load, native, rates, lts);
}

/**
 * Peer time / rnn-wasm time. For runtimes timed in the same rounds as rnn-wasm, the median over
 * rounds of the ratio within each round: the VM's speed drifts over seconds, and a round's two
 * calls are a second apart, so this cancels what the ratio of medians would keep. With
 * pairs = 'blocks', the same over the pairs of blocks of two runtimes timed in blocks
 * (measureInBlocks). Otherwise (a runtime in its own process) the ratio of medians.
 */
function speedRatio(peer, ours, pairs = 'samples') {
  if (peer[pairs]?.length && peer[pairs].length === ours[pairs]?.length) {
    return median(peer[pairs].map((t, i) => t / ours[pairs][i]));
  }
  return peer.ms / ours.ms;
}

function report(results, cold, load, native, rates, lts) {
  const ours = results['rnn-wasm simd'];
  const names = Object.keys(results);
  const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(3));
  const lines = [];
  lines.push('| workload | ' + names.join(' | ') + ' | native core |');
  lines.push('|---|' + names.map(() => '---:').join('|') + '|---:|');
  for (const [id, w] of Object.entries(WORKLOADS)) {
    const cells = names.map((n) => {
      const r = results[n][id];
      if (!r || r.error) return `n/a${r?.error ? ` (${r.error.slice(0, 60)})` : ''}`;
      const gflops = (flops(w) / (r.ms * 1e6)).toFixed(1);
      const ratio = n === 'rnn-wasm simd' ? '' : `, **${speedRatio(r, ours[id]).toFixed(2)}×**`;
      return `${fmt(r.ms)} ms (${gflops} GFLOP/s${ratio})`;
    });
    lines.push(`| ${id} ${w.title}: batch ${w.batch}, T ${w.steps}, ${w.input}→${w.hidden}${w.steps === 1 ? ', per step' : ''} | ${cells.join(' | ')} | ${fmt(native[id])} ms (wasm/native ${(ours[id].ms / native[id]).toFixed(2)}) |`);
  }
  // Threads: rnn-wasm against the peer at the same thread count, in blocks in one process.
  const blocks = `both in one process, in alternating blocks of ${BLOCK_MS} ms of calls back to back, each after ${LEAD_MS} ms of untimed calls: the median over ${BLOCK_PAIRS.W1} pairs of blocks (W4 ${BLOCK_PAIRS.W4}) of the ratio of the two blocks' median calls`;
  // One cell per workload both timed, given the peer's time over rnn-wasm's, paired by block.
  const blockRow = (ourRun, peer, cell) => Object.keys(WORKLOADS).filter((id) => ourRun[id]?.ms && peer[id]?.ms)
    .map((id) => cell(id, speedRatio(peer[id], ourRun[id], 'blocks').toFixed(2))).join('; ');
  const t2 = results['rnn-wasm simd-threads'], o2 = results['ONNX Runtime Web 2T'];
  if (t2 && o2) {
    const row = blockRow(t2, o2, (id, ratio) => `${id} **${ratio}×** ONNX Runtime Web 2T, ${(ours[id].ms / t2[id].ms).toFixed(2)}× its own 1 thread`);
    lines.push('');
    lines.push(`2 threads, rnn-wasm simd-threads against ONNX Runtime Web 2T (above 1: rnn-wasm is faster; ${blocks}) and against rnn-wasm simd on 1 thread (timed in the main process): ${row}`);
  }
  const r2 = lts?.results['rnn-wasm relaxed-threads'], l2 = lts?.results['ONNX Runtime Web 2T'];
  if (r2 && l2) {
    const row = blockRow(r2, l2, (id, ratio) => `${id} **${ratio}×** (${fmt(r2[id].ms)} against ${fmt(l2[id].ms)} ms)`);
    lines.push('');
    lines.push(`On Node ${lts.version.slice(1)} (the current LTS, where \`init()\` takes relaxed-threads), 2 threads, rnn-wasm relaxed-threads against ONNX Runtime Web 2T (the same way): ${row}`);
  } else if (lts) {
    lines.push('');
    lines.push(`On Node ${lts.version.slice(1)} the 2-thread comparison failed: ${Object.values(lts.results).map((r) => r.error).filter(Boolean).join('; ')}`);
  }
  lines.push('');
  lines.push(readRateLine(WORKLOADS, rates, { 'rnn-wasm simd': ours, 'rnn-wasm simd-threads': t2 }));
  // int8 weights (module.quantize('int8')) against float32 and ONNX Runtime Web 1T, same rounds.
  const int8 = results['rnn-wasm simd int8'], o1 = results['ONNX Runtime Web 1T'];
  if (int8 && o1) {
    const row = Object.keys(WORKLOADS).filter((id) => int8[id]?.ms)
      .map((id) => `${id} ${speedRatio(ours[id], int8[id]).toFixed(2)}× float32, **${speedRatio(o1[id], int8[id]).toFixed(2)}×** ONNX Runtime Web 1T`);
    const apart = Math.max(...Object.keys(WORKLOADS).map((id) => Math.max(...int8[id].output.map((v, i) => Math.abs(v - ours[id].output[i])))));
    lines.push('');
    lines.push(`int8 weights, rnn-wasm simd int8 against rnn-wasm simd (float32) and ONNX Runtime Web 1T (above 1: int8 is faster): ${row.join('; ')}. Its outputs differ from float32's by up to ${apart.toExponential(1)} (the quantization; docs/int8.md).`);
  }
  const coldRow = Object.entries(cold).map(([n, ms]) => `${n}: ${fmt(ms)} ms${n.startsWith('rnn') ? '' : ` (**${(ms / cold['rnn-wasm simd']).toFixed(1)}×**)`}`);
  lines.push('');
  lines.push(`W0 cold start (import to first W1 result, fresh process, median): ${coldRow.join('; ')}`);
  lines.push('');
  lines.push(modelLoadLine(load));
  // Agreement: the final hidden state of the top layer, against rnn-wasm's.
  const agree = [];
  for (const n of names.filter((n) => n !== 'rnn-wasm simd' && !n.endsWith(' int8'))) {
    const diffs = Object.keys(WORKLOADS).filter((id) => results[n][id]?.output && !(n.startsWith('TensorFlow') && id === 'W2')).map((id) => {
      const a = results[n][id].output, b = ours[id].output;
      return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    });
    if (diffs.length) agree.push(`${n}: ${Math.max(...diffs).toExponential(1)}`);
  }
  lines.push('');
  lines.push(`Largest difference from rnn-wasm's outputs (final hidden state, W1, W3, W4; W2 too except TensorFlow.js, whose GRU applies the reset gate before W_hn): ${agree.join('; ')}`);
  const table = lines.join('\n');
  console.log(table);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const doc = `# Benchmarks

Measured by \`npm run bench\` (bench/bench.mjs) on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} cores (${cpu}),
single thread unless marked 2T. Each cell is the median of one call in milliseconds (W3: of one
step, timed over 64 steps), timed in interleaved rounds after each runtime has run for
${WARM_UP_MS / 1000} s (V8 swaps optimised code in only after a function's first calls; W0 is the cold
start), with the GFLOP/s it reaches and, in bold, the peer's time divided by rnn-wasm's (above
1: rnn-wasm is faster): for the runtimes that share rnn-wasm's rounds, the median over rounds of
that ratio within each round, which cancels the VM's speed drifting between rounds; for the
others, the ratio of the medians. Times include copying the input in and the output out, as a
user's call does. rnn-wasm simd, ONNX Runtime Web 1T and TensorFlow.js wasm share one process;
the other columns each ran in a process of their own, rnn-wasm simd-threads and ONNX Runtime
Web 2T in one together, in alternating blocks of ${BLOCK_MS} ms of calls, each after ${LEAD_MS} ms of
untimed calls (their columns give the medians of the blocks' median calls; their ratio, the
median over the pairs of blocks).
Where the current Node LTS is installed (scripts/setup.sh --node-lts), rnn-wasm relaxed-threads,
which \`init()\` takes there, and ONNX Runtime Web 2T run the same way on it, for a line below
the table.
"native core" is the same C++ core built with g++ -O3 (its portable scalar kernels: the SIMD
kernels are WebAssembly-only), so wasm/native below 1 means the SIMD build beats it.

${table}

## What bounds these numbers

Measured on the same machine with standalone wasm programs built from the project's kernels
(Node 20, V8 11.3); they say where the remaining time is and what would move it.

- **No fused multiply-add.** WebAssembly SIMD128 has none, so every multiply-add is an
  \`f32x4.mul\` and an \`f32x4.add\`. The matrix-matrix kernel (4 rows x 8 outputs, 8
  accumulators) runs at 16.5 G multiply-adds/s whether its data is in L1 or not, and no other
  shape measured does better: 5 x 8 reaches 15.0 and 6 x 8 13.7 (V8 spills accumulators),
  packing A to drop its index arithmetic 16.6, panels of 32 outputs 16.3 (and 10% slower over
  the whole of W4). W4 is 7.52 G multiply-adds, so it needs at least 455 ms here before its
  gates; 1.7x ONNX Runtime Web's ~680 ms would be 400 ms.
- **Batch 1 is one matrix-vector product per step** (W1: 64 of 1024 x 256). Its kernel walks
  pointers so each load is one instruction (Emscripten builds with LLVM's loop strength
  reduction off, and an index per load costs V8 a shift and an add): 1.14x over indexing.
  Matrices of up to 512 columns and a multiple of 64 rows (all of W1-W4's) are packed in 16-row
  panels, so the kernel reads its 32 outputs per input from two streams instead of four. Over a
  whole sequence, where W_ih and the projected inputs share L2 with W_hh, fewer streams do
  better: 32-row panels (one stream) for up to 256 columns took W2 alone from 1.70 to 1.64 ms,
  its ratio to ONNX Runtime Web from 1.00-1.03 to 1.07-1.09 (W1 from 1.02-1.05 to 1.07-1.10)
  and W3's step 5-9%. 16-row panels for up to 512 columns replaced them (2026-12-08; Node 20,
  one process, alternated): 2 threads W1 1.06x, W2 1.03x, W3 1.04x; one thread W3 1.08-1.17x;
  in Chromium, relaxed, W3 0.295 -> 0.263 ms. 32-row panels for W3's three 512-column matrices
  made its step 1.15-1.35x faster, but the matrix-matrix kernel, which reads 8 rows of a panel
  at a time, half a line of every other one, 4-11% slower on them (W4), however it read them
  (in place, each 8-row group copied out first, inputs in blocks of 64-256, blocks of 2 rows by
  16 outputs, 8-row groups stored per block of 4 inputs); in 16-row panels it reads whole lines
  in order and W4 is within the noise. The matrix-vector loop unrolled by hand over two inputs
  was 17% slower in V8 (LLVM's unrolling by four, below, is faster). The packed weights start on 64-byte boundaries: Emscripten's
  malloc returns large blocks 8 bytes past a 16-byte boundary, where one weight load in four
  straddled two cache lines (W1 2.47 -> 2.27 ms). W1
  then splits as about 0.5 ms input projection (16 G multiply-adds/s), 1.3 ms recurrence (W_hh
  read from L2 every step: 12 G/s, against 14 G/s for the same kernel on a matrix that fits L1),
  0.2 ms gate activations and 0.2 ms for the layer and the JavaScript call around them. Fusing the gates into the matrix-vector kernel (W_hh
  packed so that four panels hold the four gates of the same 8 units, activated while they are
  in registers) was within 1% of the separate passes, with or without the gate code inlined.
- **Batch 1's loop, as V8 compiles it.** Each \`npm run bench\` run says, below its table, at
  what rate each batch-1 call reads its weights (every step reads all of W_hh) and how fast one
  thread reads with a bare loop of wasm SIMD loads (bench/read-rate.mjs, the fastest of 9
  timings). One input per iteration, the matrix-vector loop read well below that: V8 11.3
  (Node 20) schedules the loop's 8 weight loads first, and with 8 accumulators and the splat
  that is 17 of x64's 16 vector registers, so two accumulators went to the stack and back for
  every input (read in \`--print-wasm-code\`). Timed in turn in one process on 2026-12-07, in a
  slow spell, W1 read at 26-33 GB/s and W3 at 20-36 while the bare loop read 73-84 GB/s over
  1 MB and 56-83 over W3's 14.7 MB. The SIMD build's loop now takes four inputs per iteration
  (\`#pragma clang loop unroll_count(4)\`): LLVM then emits each iteration accumulator by
  accumulator, the four splats first, and V8 keeps all of it in registers. Against the loop as
  it was, timed in turn in one process (Node 20): W1 1.03-1.10x, W2 1.03-1.08x, W3 1.06-1.17x,
  on one thread and on two, with the same bits. The relaxed build keeps one input per
  iteration: V8 13.6 (Node 24) already interleaves its loads with its fused multiply-adds, with
  nothing spilled, and four of those in a row on one accumulator are a chain of 4-cycle
  latencies (unrolled by four it was 0.90x in Node 24, by two 0.97-1.01x). Unrolling the
  matrix-matrix kernel's loop the same way was slower (W4 0.79x by four, 0.72x by two).
  Variants of the one-input loop measured before, none faster everywhere, not kept: 4
  accumulators per pass were slower in Node 20 (0.90x W1, 0.85x W3), Node 24 (V8 13.6) and
  Chromium 156 (0.75-0.87x), faster only in Node 22 (V8 12.4); 6 accumulators (three 8-row
  panels at a time), timed in one module against a copy of the kernel, were 1.03-1.06x in W3
  and 1.03-1.13x in W1 and W2 on one thread but 0.96-1.03x on two. The 4-panel loop written as
  a template was 0.72x the hand-written one: V8's code for these loops depends on what else is
  in the function, so a variant is only comparable with a copy of the kernel in the same build.
- **Per call**, a tensor crosses into wasm and back with one call into JavaScript each way
  (\`EM_JS\`), not one per property, array element and method as Embind's \`val\` makes (about
  20 per tensor): an LSTM step at hidden size 64 went from 7.9 to 5.1 us, at 128 from 13.3 to
  9.6 us. Of what is left, allocating the output's \`Float32Array\` is about 0.85 us.
- **Gate activations** are an \`exp\` each, written for V8: pmin/pmax instead of
  \`f32x4.min/max\` (which V8 expands to about seven instructions to order -0 and +0) and
  rounding by adding 1.5 x 2^23 instead of \`f32x4.nearest\` and a saturating conversion made the
  LSTM gates 1.37x faster (264 -> 192 us per W1).
- **What would move them:** relaxed SIMD's \`f32x4.relaxed_madd\`, an FMA where the CPU has
  one. It ships in Chrome 114+ and Node 22, not in Node 20 (behind a flag), and Safari rejects a
  module that contains it, so it would be a third build chosen by \`init()\`. Debian's clang 14
  emits the proposal's early opcode (\`f32x4.fma\`, 0xfd 0xaf), which V8 rejects; rewritten to
  the final one (0xfd 0x105, the 36 instructions of the matrix kernels, counted against
  \`wasm-dis\`) and run in Node 20 with \`--experimental-wasm-relaxed-simd\`, it measured W1
  2.20 -> 1.94 ms, W2 1.64 -> 1.42 ms and W4 500 -> 443 ms (outputs within 4.5e-8 of the SIMD
  build). W4 would then be about 1.5x ONNX Runtime Web, still short of 1.7x. A core here does
  at most 8 multiply-adds per cycle with 128-bit FMA (two FMA ports), so W4's 7.52 G
  multiply-adds need at least ~340 ms at this machine's clock (~2.75 GHz, from 16.5 G/s at 6
  per cycle without FMA): 5x TensorFlow.js's W4 (820-980 ms, so 165-195 ms) is out of reach
  of single-threaded WebAssembly on this machine.
`;
  // The sections of npm run bench -- --train, --browser and --thresholds are kept as they are.
  const previous = readFileSync('docs/benchmarks.md', 'utf8');
  const kept = ['train', 'browser', 'thresholds'].map((name) => {
    const from = previous.indexOf(`<!-- ${name}: begin -->`), to = previous.indexOf(`<!-- ${name}: end -->`);
    return from >= 0 && to > from ? `\n${previous.slice(from, to + `<!-- ${name}: end -->`.length)}\n` : '';
  });
  writeFileSync('docs/benchmarks.md', doc + kept.join(''));
  writeReadmeSection('bench', table);  // the README shows the same table
}

if (!child) {
  // Weights and ONNX models for this run (the ONNX files need Debian's python3-onnx).
  const rnn = await import('rnn-wasm');
  await rnn.init({ backend: 'simd' });
  writeWeights(FOLDER);
  execFileSync('/usr/bin/python3', ['bench/make_onnx.py', FOLDER], { stdio: 'inherit' });
}
await main();
