// One runtime of the browser benchmark in its own module Worker (its own wasm instance and
// thread count): rnn-wasm with a given build and thread count ('rnn-relaxed-threads:2'), or ONNX
// Runtime Web with a given thread count ('ort2').
// Messages: { setup: { runtime, workloads } } -> { ready }, then { id, calls } -> { ms, output }
// (one sample of `calls` calls), or { id, calls, block: { leadMs, blockMs } } -> { ms, output }
// (untimed samples for leadMs, then samples back to back for blockMs; ms is their median).
import { timeBlock } from '../timing.mjs';

let runners;

const inputOf = (w) => Float32Array.from({ length: w.steps * w.batch * w.input }, (_, i) => Math.sin(0.37 * i));
const fetchBytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());

async function rnnWasm(backend, threads, workloads) {
  const R = await import('/dist/index.js');
  await R.init({ backend, threads });
  const out = {};
  for (const [id, w] of Object.entries(workloads)) {
    const Layer = w.kind === 'lstm' ? R.LSTM : R.GRU;
    const layer = new Layer({ inputSize: w.input, hiddenSize: w.hidden, numLayers: w.layers });
    layer.loadStateDict(R.loadSafetensors(await fetchBytes(`/build/bench/${w.model}.safetensors`)).tensors);
    const x = new R.Tensor(inputOf(w), [w.steps, w.batch, w.input]);
    if (w.steps === 1) {
      const state = layer.state({ batch: w.batch });
      const step = new R.Tensor(x.data, [w.batch, w.input]);
      out[id] = async () => layer.step(step, state).data;
    } else {
      out[id] = async () => (w.kind === 'lstm' ? layer.forward(x)[1][0] : layer.forward(x)[1]).data;
    }
  }
  return { name: `rnn-wasm ${R.backend()}${R.threads() > 1 ? ` ${R.threads()}T` : ''}`, runners: out };
}

async function onnxRuntime(threads, workloads) {
  const ort = await import('/node_modules/onnxruntime-web/dist/ort.min.mjs');
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = threads;
  const out = {};
  for (const [id, w] of Object.entries(workloads)) {
    const s = await ort.InferenceSession.create(await fetchBytes(`/build/bench/${w.model}.onnx`), { executionProviders: ['wasm'] });
    const x = inputOf(w);
    if (w.model !== 'lstm2') {
      out[id] = async () => (await s.run({ x: new ort.Tensor('float32', x, [w.steps, w.batch, w.input]) })).h.data;
      continue;
    }
    const zeros = () => new ort.Tensor('float32', new Float32Array(w.batch * w.hidden), [1, w.batch, w.hidden]);
    let state = { h0_l0: zeros(), c0_l0: zeros(), h0_l1: zeros(), c0_l1: zeros() };
    out[id] = async () => {
      const o = await s.run({ x: new ort.Tensor('float32', x, [w.steps, w.batch, w.input]), ...state });
      if (w.steps === 1) state = { h0_l0: o.h_l0, c0_l0: o.c_l0, h0_l1: o.h_l1, c0_l1: o.c_l1 };
      return w.steps === 1 ? o.y.data : o.h_l1.data;
    };
  }
  return { name: `ONNX Runtime Web ${threads}T`, runners: out };
}

onmessage = async ({ data }) => {
  try {
    if (data.setup) {
      const { runtime, workloads } = data.setup;
      const [build, threads] = runtime.slice(4).split(':');
      const made = runtime.startsWith('rnn-') ? await rnnWasm(build, Number(threads ?? 1), workloads) : await onnxRuntime(Number(runtime.slice(3)), workloads);
      runners = made.runners;
      postMessage({ ready: true, name: made.name });
      return;
    }
    const run = runners[data.id];
    let output;
    const sample = async () => {
      const start = performance.now();
      for (let c = 0; c < data.calls; c++) output = await run();
      return (performance.now() - start) / data.calls;
    };
    const ms = data.block ? await timeBlock(sample, data.block) : await sample();
    postMessage({ ms, output: Array.from(output.slice(-data.keep)) });
  } catch (e) {
    postMessage({ error: String(e?.stack ?? e) });
  }
};
