// npm run bench -- --train: training throughput of rnn-wasm against PyTorch (one thread),
// TensorFlow.js (wasm and cpu backends) and brain.js, on the same workloads with the same
// hyperparameters, initial weights and batches, and the loss after a fixed number of steps so
// that learning is shown, not just speed. Prints a table and writes the "Training" section of
// docs/benchmarks.md and the README's table.
//   node bench/train.mjs [--quick]          the whole benchmark (--quick: fewer steps)
//   node bench/train.mjs --child <runtime>  one runtime alone (writes build/bench/train/<runtime>.json)
//
// Method. The parent draws the initial weights (seeded, PyTorch's default distributions,
// .safetensors with PyTorch's names) and every step's batch (seeded, int32 .bin) once, in
// bench/train/data.mjs. Each runtime then runs in a process of its own, one after another: the
// first `lossSteps` steps from the initial weights (they are the warm-up too: V8 and the wasm
// engines have optimised the hot code well before their end), then 3 timed windows of
// `windowSteps` steps each, still training on the following batches. Throughput is the median
// window's tokens (T3: sequences) per second; the loss shown is the training loss of the step
// after `lossSteps` updates. Ratios are rnn-wasm simd's throughput over the peer's (above 1:
// rnn-wasm is faster), from medians of different processes in the same run.
// What differs per runtime: see bench/train/tfjs.mjs (one-hot or gather embedding, clipping
// inside the optimizer, one fused LSTM bias) and bench/train/brainjs.mjs (batch 1, its own
// model, initialisation, optimizer and loss: speed only, on T1's and T2's sizes).
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

import { writeReadmeSection } from '../scripts/readme-section.mjs';
import { FOLDER, WINDOWS, readBatches, trainWorkloads, writeTrainingData } from './train/data.mjs';
import { median } from './timing.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const child = args.includes('--child') ? args[args.indexOf('--child') + 1] : undefined;
const workloads = trainWorkloads(quick);
// brain.js trains one sequence (T1's 64 characters) at a time: warm-up and window lengths in sequences.
const BRAIN = { T1: { warmUp: quick ? 3 : 10, window: quick ? 3 : 10 }, T2: { warmUp: quick ? 1 : 3, window: quick ? 1 : 3 } };
const W1_ROUNDS = quick ? 7 : 21, W1_WARM_UP_MS = quick ? 500 : 1500;
// Runtimes in the table's order, with the name shown when one is skipped before it names itself.
const RUNTIMES = { 'rnn-simd': 'rnn-wasm simd', 'rnn-baseline': 'rnn-wasm baseline', pytorch: 'PyTorch', 'tfjs-wasm': 'TensorFlow.js wasm', 'tfjs-cpu': 'TensorFlow.js cpu', brainjs: 'brain.js' };


/** The loss steps, then the timed windows; seconds per window. */
async function train(runner, batches, w) {
  const losses = [], gradNorms = [];
  const step = async (b) => {
    const r = await runner.step(batches[b]);
    losses.push(r.loss);
    gradNorms.push(r.gradNorm ?? null);
  };
  for (let b = 0; b < w.lossSteps; b++) await step(b);
  const windows = [];
  for (let k = 0; k < WINDOWS; k++) {
    const start = performance.now();
    for (let b = 0; b < w.windowSteps; b++) await step(w.lossSteps + k * w.windowSteps + b);
    windows.push((performance.now() - start) / 1000);
  }
  return { losses, gradNorms, windows };
}

/** brain.js: the batches' rows one by one; its reported errors and seconds per window. */
function trainBrain(runner, batches, id) {
  const rows = batches.flatMap((b) => b.ids);
  const { warmUp, window } = BRAIN[id];
  const errors = [];
  for (let s = 0; s < warmUp; s++) errors.push(runner.sequence(rows[s]));
  const windows = [];
  for (let k = 0; k < WINDOWS; k++) {
    const start = performance.now();
    for (let s = 0; s < window; s++) errors.push(runner.sequence(rows[warmUp + k * window + s]));
    windows.push((performance.now() - start) / 1000);
  }
  return { errors, windows, sequences: warmUp + WINDOWS * window, characters: window * rows[0].length };
}

/** fn's result, or { error } with the first line of what it threw (one workload's failure). */
async function attempt(fn) {
  try {
    return await fn();
  } catch (e) {
    return { error: String(e.message ?? e).split('\n')[0] };
  }
}

async function runChild(name) {
  const out = { results: {} };
  try {
    if (name.startsWith('rnn-')) {
      const { rnnTrainer, w1TrainingRatio } = await import('./train/rnn-wasm.mjs');
      const backendName = name.slice(4);
      const runtime = await rnnTrainer(backendName);
      out.runtime = runtime.name;
      for (const [id, w] of Object.entries(workloads)) {
        out.results[id] = await attempt(async () => {
          const runner = runtime.setup(w, id);
          try { return await train(runner, readBatches(id, w), w); } finally { runner.dispose(); }
        });
      }
      out.w1 = await attempt(() => w1TrainingRatio(backendName, { rounds: W1_ROUNDS, warmUpMs: W1_WARM_UP_MS }));
    } else if (name.startsWith('tfjs-')) {
      const { tensorflowTrainer } = await import('./train/tfjs.mjs');
      const { loadSafetensors } = await import('rnn-wasm'); // the file reader only; no wasm is loaded
      const runtime = await tensorflowTrainer(name.slice(5));
      out.runtime = runtime.name;
      for (const [id, w] of Object.entries(workloads)) {
        out.results[id] = await attempt(async () => {
          const runner = runtime.setup(w, loadSafetensors(readFileSync(`${FOLDER}/${id}.safetensors`)).tensors);
          try { return await train(runner, readBatches(id, w), w); } finally { runner.dispose(); }
        });
      }
    } else if (name === 'brainjs') {
      const { brainTrainer } = await import('./train/brainjs.mjs');
      const runtime = brainTrainer();
      out.runtime = runtime.name;
      for (const id of Object.keys(BRAIN)) out.results[id] = trainBrain(runtime.setup(workloads[id]), readBatches(id, workloads[id]), id);
    } else {
      throw new Error(`unknown runtime ${name}`);
    }
  } catch (e) {
    out.skip = String(e.message ?? e).split('\n')[0];
  }
  writeFileSync(`${FOLDER}/${name}.json`, JSON.stringify(out));
}

/** Runs one runtime in a process of its own; returns { runtime, results } or { skip }. */
function runRuntime(name) {
  console.error(`train: ${name} ...`);
  const start = performance.now();
  try {
    if (name === 'pytorch') {
      try {
        execFileSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
      } catch {
        return { skip: 'torch is not importable by /usr/bin/python3 (Debian: apt-get install python3-torch)' };
      }
      // Some machines set OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) because older OpenBLAS builds
      // fail on their processors; here it forced Haswell kernels, 1.3-1.5x slower than the
      // AVX-512 ones OpenBLAS picks itself, with the same losses (to 1e-6 over 45 steps). The
      // reference runs as fast as it can; its column names the kernels, and its losses are
      // checked against TensorFlow.js's below the table.
      const env = { ...process.env };
      delete env.OPENBLAS_CORETYPE;
      delete env.OPENBLAS_L2_SIZE;
      const r = JSON.parse(execFileSync('/usr/bin/python3', ['bench/train/pytorch.py', FOLDER], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 }));
      return { ...r, runtime: `${r.runtime} 1T` };
    }
    const file = `${FOLDER}/${name}.json`;
    rmSync(file, { force: true });
    execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child', name, ...(quick ? ['--quick'] : [])], { stdio: ['ignore', 'inherit', 'inherit'] });
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { skip: `failed: ${String(e.message).split('\n')[0]}` };
  } finally {
    console.error(`train: ${name} took ${((performance.now() - start) / 1000).toFixed(0)} s`);
  }
}

// ---- report

/** Tokens (T3: sequences) per second of the median window, and the loss after lossSteps updates. */
function summary(id, r) {
  const w = workloads[id];
  if (r.errors) {
    // The median: its RMSprop (no bias correction) now and then throws one sequence's error up 100-fold.
    return { perSecond: r.characters / median(r.windows), brainError: median(r.errors.slice(-BRAIN[id].window)), sequences: r.sequences };
  }
  const units = w.kind === 'lm' ? w.batch * w.steps : w.batch;
  return { perSecond: (w.windowSteps * units) / median(r.windows), loss: r.losses[w.lossSteps], first: r.losses[0] };
}

const fmtRate = (v) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));

function report(all) {
  const names = all.map((r) => r.runtime);
  const ours = all.find((r) => r.key === 'rnn-simd' && !r.skip);
  const lines = [];
  lines.push('| workload | ' + names.join(' | ') + ' |');
  lines.push('|---|' + names.map(() => '---:').join('|') + '|');
  for (const [id, w] of Object.entries(workloads)) {
    const unit = w.kind === 'lm' ? 'tok/s' : 'seq/s';
    const ourRate = ours?.results?.[id]?.windows ? summary(id, ours.results[id]).perSecond : undefined;
    const cells = all.map((r) => {
      if (r.skip) return `skipped: ${r.skip}`;
      if (!r.results[id]) return r.key === 'brainjs' ? 'n/a: no many-to-one classifier' : 'n/a';
      if (r.results[id].error) return `failed: ${r.results[id].error.slice(0, 80)}`;
      const s = summary(id, r.results[id]);
      const ratio = ourRate && r !== ours ? `, **${(ourRate / s.perSecond).toFixed(2)}×**` : '';
      const rate = `${fmtRate(s.perSecond)} ${r.results[id].errors ? 'char/s' : unit}${ratio}`;
      return s.brainError !== undefined ? `${rate}; error ${s.brainError.toFixed(3)} (not comparable)` : `${rate}; loss ${s.loss.toFixed(4)}`;
    });
    const shape = w.kind === 'lm' ? `vocab ${w.vocab}, emb ${w.embedding}, LSTM ${w.layers}×${w.hidden}, batch ${w.batch}×${w.steps}` : `vocab ${w.vocab}, emb ${w.embedding}, LSTM ${w.hidden}, last state -> ${w.classes}, batch ${w.batch}×${w.steps}`;
    lines.push(`| ${id} ${w.title}: ${shape}; loss after ${w.lossSteps} steps | ${cells.join(' | ')} |`);
  }
  const torch = all.find((r) => r.key === 'pytorch' && !r.skip);
  lines.push('');
  const w1 = ours?.w1;
  lines.push(w1?.ratio ? `W1 training ratio (rnn-wasm simd, LSTM batch 1, T 64, 128→256): training step ${w1.stepMs.toFixed(2)} ms / eval forward ${w1.forwardMs.toFixed(2)} ms = **${w1.ratio.toFixed(2)}×** (target: at most 3×)`
    : `W1 training ratio: ${w1?.error ? `failed (${w1.error})` : `skipped (${all.find((r) => r.key === 'rnn-simd').skip})`}`);
  // What follows is for docs/benchmarks.md only; the README shows the table and the W1 line.
  const table = lines.join('\n');
  lines.length = 0;
  const brain = all.find((r) => r.key === 'brainjs' && !r.skip);
  if (brain) {
    const ids = Object.keys(brain.results);
    lines.push('');
    lines.push(`brain.js: batch 1, its own model, optimizer and error (perplexity / 100, the median over its last window, after ${ids.map((id) => `${id} ${brain.results[id].sequences}`).join(', ')} sequences of 64 characters); T3 is not expressible in it.`);
  }
  if (torch) {
    // Agreement: every runtime but brain.js starts from PyTorch's weights and sees its batches.
    const agree = [];
    for (const r of all.filter((r) => !r.skip && r !== torch && r.key !== 'brainjs')) {
      const parts = Object.keys(workloads).filter((id) => r.results[id]?.losses && torch.results[id]).map((id) => {
        const a = summary(id, r.results[id]), b = summary(id, torch.results[id]);
        const percent = (a.loss / b.loss - 1) * 100;
        return `${id} ${a.first.toFixed(5)} vs ${b.first.toFixed(5)}, then ${Math.abs(percent) < 0.005 ? '0.00' : percent.toFixed(2)}%`;
      });
      agree.push(`${r.runtime}: ${parts.join('; ')}`);
    }
    lines.push('');
    lines.push(`Against PyTorch (loss of step 1, the same weights and batch in both; then the loss after the fixed steps, relative): ${agree.join('. ')}.`);
    const norms = Object.keys(workloads).map((id) => `${id} ${Math.max(...torch.results[id].gradNorms).toFixed(2)}`);
    lines.push('');
    lines.push(`Largest gradient norm before clipping in PyTorch (clipping to 5 acts only above 5): ${norms.join(', ')}.`);
  }
  return { table, notes: lines.join('\n') };
}

function writeDocs(table, all) {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const w = workloads;
  const section = `<!-- train: begin -->
## Training

Measured by \`npm run bench -- --train\` (bench/train.mjs${quick ? ', --quick' : ''}) on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} cores (${cpu}), one thread
everywhere. Workloads: T1 a character model on Tiny Shakespeare (65 characters, embedding 65,
LSTM 128, Linear to 65; batches of 32 random 64-character windows of the text's first 90%, each
target the next character), T2 the same with two LSTM layers of 256, T3 a classifier (vocabulary
10,000, embedding 100 with padding row 0, LSTM 128, its last state through a Linear to 2
classes; batches of 64 synthetic sequences of 40 ids whose label is the majority kind of the
marker ids in them). All use Adam (lr 2e-3, betas 0.9/0.999, eps 1e-8), clipping to a global
norm of 5 and the mean cross-entropy over every token (T3: sequence).

Method: the initial weights (seeded, PyTorch's default distributions) and every step's batch are
drawn once and every runtime reads them, each in a process of its own. A runtime first trains
${w.T1.lossSteps} steps (T2: ${w.T2.lossSteps}, T3: ${w.T3.lossSteps}) from the initial weights, which are also its warm-up, then 3 timed windows
of ${w.T1.windowSteps} steps (T2: ${w.T2.windowSteps}, T3: ${w.T3.windowSteps}) on the following batches. Each cell is the median window's tokens
(T3: sequences) per second, in bold rnn-wasm simd's throughput divided by the runtime's (above 1:
rnn-wasm is faster; a ratio of medians from separate processes), and the training loss of the
step after the fixed number of updates (a number that all runtimes compute on the same batch).
What differs per runtime:
- **PyTorch** (${all.find((r) => r.key === 'pytorch').runtime}${all.find((r) => r.key === 'pytorch').blas ?? ''}): the twins in python/rnn_wasm/models.py, \`torch.optim.Adam\`,
  \`clip_grad_norm_\`, \`F.cross_entropy\`; \`torch.set_num_threads(1)\` and
  \`OPENBLAS_NUM_THREADS=1\` (the first leaves Debian's OpenBLAS at a thread per core). The
  reference. OpenBLAS picks its own kernels: with the Haswell ones that this machine's
  \`OPENBLAS_CORETYPE\` forces, it was 1.3-1.5x slower, with the same losses. T3 calls the twin's
  modules without its \`pack_padded_sequence\` (every sequence is 40 long: the same last state),
  as PyTorch 1.13's CPU backward of a packed LSTM spent 0.7-1.3 s of a 0.05 s step filling
  zero gradients.
- **TensorFlow.js**: \`tf.layers\` models trained with \`trainOnBatch\` and \`tf.train.adam\`, LSTMs with
  \`recurrentActivation: 'sigmoid'\` (its default hard sigmoid is not PyTorch's LSTM). The wasm
  backend has no gradient for \`tf.gather\` ("Kernel 'UnsortedSegmentSum' not registered"), so
  T1 and T2 feed one-hot characters into a bias-free Dense layer holding the embedding matrix,
  and T3 (where a 10,000-wide one-hot costs more than the LSTM: 7.9 s a step on wasm, against
  1.0-1.3 s) uses a gather layer whose gradient sums rows with \`tf.scatterND\`, the same
  numbers as PyTorch's embedding backward; both backends run the same models. Its optimizers
  have no global-norm clipping, so the optimizer's \`applyGradients\` (which \`trainOnBatch\`
  calls) scales the gradients first as \`clip_grad_norm_\` does. Keras keeps one LSTM bias
  (\`bias_ih + bias_hh\`), so Adam moves the sum half as far per step as PyTorch's two biases:
  the same first step, then slightly different training. That is the whole difference:
  PyTorch trained with one bias (\`bias_hh\` frozen at 0) followed TensorFlow.js's losses to
  within 0.005% at every step of T1, T2 and T3, while against the stock twin T3's loss drifts
  by up to a few percent once it starts to fall (after about 25 steps), either way.
  Where its time goes (\`tf.profile\` of a T1 step on wasm, 1.33 s of kernels): BatchMatMul
  0.56 s in 258 calls (the backward's products), Unpack 0.41 s in 2 (splitting the sequence
  into steps), the forward's fused products 0.13 s.
- **brain.js** (\`recurrent.LSTM\`): one sequence at a time (no batches), its own
  initialisation, optimizer (RMSprop without bias correction, per-element clipping; lr 2e-3, as
  the others', since its default 0.01 diverged) and error (perplexity / 100, shown as the median
  over the last window: a sequence's error now and then jumps 100-fold);
  its LSTM keeps no cell state (it gates h where an LSTM gates c). Speed only: characters per
  second on T1's and T2's sizes, ${BRAIN.T1.warmUp} (T2: ${BRAIN.T2.warmUp}) sequences of warm-up, windows of ${BRAIN.T1.window} (T2: ${BRAIN.T2.window}) sequences of
  64 characters from the same text. No T3: it has no many-to-one classifier.
- **rnn-wasm**: \`model.loss(ids, targets)\`, \`clipGradNorm\`, \`optim.Adam\`, in both builds. The W1
  line times, in interleaved rounds after a warm-up, an eval \`forward\` on W1's shape against a
  training step (forward, \`backward\` of a fixed output gradient, Adam).

${table}
<!-- train: end -->
`;
  const doc = readFileSync('docs/benchmarks.md', 'utf8');
  const from = doc.indexOf('<!-- train: begin -->'), to = doc.indexOf('<!-- train: end -->');
  const next = from >= 0 && to > from ? doc.slice(0, from) + section.trimEnd() + doc.slice(to + '<!-- train: end -->'.length) : `${doc.trimEnd()}\n\n${section}`;
  writeFileSync('docs/benchmarks.md', next);
}

if (child) {
  await runChild(child);
} else {
  writeTrainingData(quick);
  const all = Object.entries(RUNTIMES).map(([key, name]) => ({ runtime: name, ...runRuntime(key), key }));
  const { table, notes } = report(all);
  console.log(`${table}\n${notes}`);
  writeDocs(`${table}\n${notes}`, all);
  try {
    writeReadmeSection('bench -- --train', table);
  } catch (e) {
    console.error(`train: README.md not changed (${e.message})`);
  }
}
