// Runs in a fresh `node`, for threads.test.ts:
//
//   node tests/js/support/threads-run.mjs <URL of dist/index.js> <mode> '<init options as JSON>'
//
// mode 'digests': layers chosen to take every way of splitting work (batch 1 split by hidden
//   units, larger batches split by rows, the input projection split by rows; stacked,
//   bidirectional, lengths, an LSTM projection, which is not split; int8 weights) run forward; prints
//   { backend, threads, digests: { case: sha256 of output, hN and cN } }.
// mode 'exit': a forward on the threads, then dispose; the process must end by itself.
// mode 'unshared': as on a page that is not cross-origin isolated (no SharedArrayBuffer); prints
//   { backend, threads, warnings } after init and a second init.
// mode 'trap': worker 1 is made to trap in its first task (threads.ts' fault injection); prints
//   { error: { code, message } of the first threaded call, threads after it, digests after it }.
// mode 'idle': a forward on the threads, then half a second idle; prints { idleCpuMs }, the CPU
//   time the process took while idle (parked workers take none).
// mode 'first-calls': a sentiment classifier (an LSTM of 128 units, float32: the demo's model when
//   V8's tier-mixing fault showed, kept beside this file) on one short text, its first calls in
//   a fresh process (a streaming step, split by units); prints { digest }.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [library, mode, optionsJson] = process.argv.slice(2);
if (mode === 'unshared') delete globalThis.SharedArrayBuffer;
if (mode === 'trap') (await import(new URL('./threads.js', library).href)).faults.trapWorker = 1;
const R = await import(library);
const warnings = [];
const warn = console.warn;
console.warn = (...args) => warnings.push(args.join(' '));
await R.init(JSON.parse(optionsJson));
console.warn = warn;

function input(steps, batch, features, seed) {
  const random = new R.Random(seed);
  return new R.Tensor(Float32Array.from({ length: steps * batch * features }, () => random.next() * 2 - 1), [steps, batch, features]);
}

function digest(tensors) {
  const hash = createHash('sha256');
  for (const t of tensors.flat()) hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return hash.digest('hex');
}

const cases = {
  'LSTM 256, batch 1': [R.LSTM, { inputSize: 64, hiddenSize: 256 }, 24, 1],
  'LSTM 256, batch 5, lengths': [R.LSTM, { inputSize: 64, hiddenSize: 256 }, 12, 5, [12, 3, 7, 12, 1]],
  'GRU 128 x 2 layers, bidirectional, batch 1': [R.GRU, { inputSize: 32, hiddenSize: 128, numLayers: 2, bidirectional: true }, 16, 1],
  'GRU 128, bidirectional, batch 3, lengths': [R.GRU, { inputSize: 32, hiddenSize: 128, bidirectional: true }, 10, 3, [4, 10, 9]],
  'RNN tanh 256, batch 1, length 9 of 14': [R.RNN, { inputSize: 16, hiddenSize: 256 }, 14, 1, [9]],
  'RNN relu 192, batch 4': [R.RNN, { inputSize: 16, hiddenSize: 192, nonlinearity: 'relu' }, 8, 4],
  'LSTM 128 with projection 64, batch 1 and 4': [R.LSTM, { inputSize: 32, hiddenSize: 128, projSize: 64 }, 10, 4],
  'LSTM 200 (not a multiple of a panel), batch 1': [R.LSTM, { inputSize: 32, hiddenSize: 200 }, 10, 1],
  'int8 LSTM 200 x 2 layers, batch 3': [R.LSTM, { inputSize: 32, hiddenSize: 200, numLayers: 2 }, 10, 3, undefined, 'int8'],
  'int8 GRU 256, batch 1': [R.GRU, { inputSize: 32, hiddenSize: 256 }, 12, 1, undefined, 'int8'],
};

function caseDigests() {
  const digests = {};
  for (const [name, [Layer, options, steps, batch, lengths, dtype]] of Object.entries(cases)) {
    const layer = new Layer({ ...options, seed: 7 });
    if (dtype) layer.quantize(dtype);
    const x = input(steps, batch, options.inputSize, 11);
    const out = layer.forward(x, null, lengths ? { lengths } : undefined);
    digests[name] = digest(out);
    layer.dispose();
  }
  return digests;
}

if (mode === 'digests') {
  process.stdout.write(JSON.stringify({ backend: R.backend(), threads: R.threads(), digests: caseDigests() }));
} else if (mode === 'trap') {
  const threads = R.threads();
  let error = null;
  try {
    caseDigests();
  } catch (e) {
    error = { code: e.code, message: e.message, isRnnError: e instanceof R.RnnError };
  }
  process.stdout.write(JSON.stringify({ backend: R.backend(), threads, error, threadsAfter: R.threads(), digests: caseDigests() }));
} else if (mode === 'idle') {
  const layer = new R.LSTM({ inputSize: 64, hiddenSize: 256, seed: 1 });
  layer.forward(input(32, 1, 64, 3));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(100); // past the workers' spinning
  const before = process.cpuUsage();
  await sleep(500);
  const used = process.cpuUsage(before);
  process.stdout.write(JSON.stringify({ backend: R.backend(), threads: R.threads(), idleCpuMs: (used.user + used.system) / 1000 }));
} else if (mode === 'first-calls') {
  const classifier = R.loadModel(readFileSync(new URL('./lstm128-classifier.safetensors', import.meta.url)));
  const probabilities = classifier.predict([12, 7, 431]);
  const steps = classifier.trace([12, 7, 431]);
  const hash = createHash('sha256');
  for (const p of [probabilities, ...steps]) hash.update(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  process.stdout.write(JSON.stringify({ backend: R.backend(), threads: R.threads(), digest: hash.digest('hex') }));
} else if (mode === 'exit') {
  const layer = new R.LSTM({ inputSize: 64, hiddenSize: 256, seed: 1 });
  const x = input(32, 1, 64, 3);
  const out = layer.forward(x);
  if (!out) throw new Error('no output');
  layer.dispose();
  process.stdout.write(JSON.stringify({ backend: R.backend(), threads: R.threads() }));
} else if (mode === 'unshared') {
  await R.init({ threads: 4 });
  process.stdout.write(JSON.stringify({ backend: R.backend(), threads: R.threads(), warnings }));
} else {
  throw new Error(`threads-run: unknown mode ${mode}`);
}
