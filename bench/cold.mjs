// W0, cold start: in a fresh Node process, from the first import to the first W1 result
// (load and compile the wasm, load the weights, first forward). Prints milliseconds.
//   node bench/cold.mjs <rnn-wasm | ort | tfjs-wasm> <folder with the weights and models>
import { performance } from 'node:perf_hooks';

const start = performance.now();
const [which, folder] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const { WORKLOADS, inputOf } = await import('./workloads.mjs');
const w = WORKLOADS.W1;

if (which === 'rnn-wasm') {
  const rnn = await import('rnn-wasm');
  await rnn.init({ backend: 'simd' }); // one thread, as ONNX Runtime Web 1T beside it
  const { tensors } = rnn.loadSafetensors(readFileSync(`${folder}/lstm1.safetensors`));
  const lstm = new rnn.LSTM({ inputSize: w.input, hiddenSize: w.hidden });
  lstm.loadStateDict(tensors);
  lstm.forward(inputOf(w))[1][0].data;
} else if (which === 'ort') {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(readFileSync(`${folder}/lstm1.onnx`), { executionProviders: ['wasm'] });
  (await session.run({ x: new ort.Tensor('float32', inputOf(w).data, [w.steps, w.batch, w.input]) })).h.data;
} else if (which === 'tfjs-wasm') {
  const { tensorflow } = await import('./runtimes.mjs');
  const { loadSafetensors } = await import('rnn-wasm'); // the file reader only; no wasm is loaded
  const runtime = await tensorflow('wasm');
  const weights = { lstm1: loadSafetensors(readFileSync(`${folder}/lstm1.safetensors`)).tensors };
  await runtime.setup(w, weights).run();
} else {
  throw new Error(`unknown runtime ${which}`);
}
console.log(JSON.stringify({ ms: performance.now() - start }));
