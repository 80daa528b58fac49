// One runner per runtime and workload: setup(w) -> { run(): Promise<Float32Array>, dispose?() },
// where run does what a user's call does, copying the input in and the output (the last hidden
// state of the top layer, or W3's step output) out. W3's runners carry the state between calls.
// dispose, where there is one, frees what the runner holds in wasm memory.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { inputOf } from './workloads.mjs';

const require = createRequire(import.meta.url);

// ---- rnn-wasm

// int8: the weight matrices quantized after loading (module.quantize('int8')).
export async function rnnWasm(backendName, { int8 = false } = {}) {
  const rnn = await import('rnn-wasm');
  await rnn.init({ backend: backendName });
  return {
    name: `rnn-wasm ${rnn.backend()}${int8 ? ' int8' : ''}`,
    setup(w, weights) {
      const Layer = w.kind === 'lstm' ? rnn.LSTM : rnn.GRU;
      const layer = new Layer({ inputSize: w.input, hiddenSize: w.hidden, numLayers: w.layers });
      layer.loadStateDict(weights[w.model]);
      if (int8) layer.quantize('int8');
      const x = inputOf(w);
      if (w.steps === 1) {
        const state = layer.state({ batch: w.batch });
        const step = new rnn.Tensor(x.data, [w.batch, w.input]);
        return { run: async () => layer.step(step, state).data, dispose: () => { state.dispose(); layer.dispose(); } };
      }
      return {
        run: async () => (w.kind === 'lstm' ? layer.forward(x)[1][0] : layer.forward(x)[1]).data,
        dispose: () => layer.dispose(),
      };
    },
  };
}

// ---- ONNX Runtime Web (wasm)

export async function onnxRuntime(threads, folder) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  const sessions = {};
  const session = async (model) => (sessions[model] ??= await ort.InferenceSession.create(readFileSync(`${folder}/${model}.onnx`), { executionProviders: ['wasm'] }));
  return {
    name: `ONNX Runtime Web ${threads}T`,
    async setup(w) {
      const s = await session(w.model);
      const x = inputOf(w);
      if (w.model !== 'lstm2') {
        return { run: async () => (await s.run({ x: new ort.Tensor('float32', x.data, [w.steps, w.batch, w.input]) })).h.data };
      }
      const zeros = () => new ort.Tensor('float32', new Float32Array(w.batch * w.hidden), [1, w.batch, w.hidden]);
      let state = { h0_l0: zeros(), c0_l0: zeros(), h0_l1: zeros(), c0_l1: zeros() };
      return {
        async run() {
          const out = await s.run({ x: new ort.Tensor('float32', x.data, [w.steps, w.batch, w.input]), ...state });
          if (w.steps === 1) state = { h0_l0: out.h_l0, c0_l0: out.c_l0, h0_l1: out.h_l1, c0_l1: out.c_l1 };
          return w.steps === 1 ? out.y.data : out.h_l1.data;
        },
      };
    },
  };
}

// ---- TensorFlow.js (wasm or cpu backend)

export async function tensorflow(backendName) {
  const tf = await import('@tensorflow/tfjs');
  if (backendName === 'wasm') {
    const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
    const dist = require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm').replace(/[^/]+$/, '');
    wasmBackend.setWasmPaths(dist);
  }
  await tf.setBackend(backendName);
  await tf.ready();
  const transpose = (t, rows, cols) => {
    const out = new Float32Array(t.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t[r * cols + c];
    return out;
  };
  const blocks = (t, width, order) => {
    // Rows of t in blocks of `width`, reordered: out block k = t block order[k].
    const out = new Float32Array(t.length);
    const block = width * (t.length / (order.length * width));
    order.forEach((from, k) => out.set(t.subarray(from * block, (from + 1) * block), k * block));
    return out;
  };
  return {
    name: `TensorFlow.js ${backendName}`,
    setup(w, weights) {
      const sd = weights[w.model];
      const H = w.hidden;
      const x = inputOf(w);
      const G = w.kind === 'lstm' ? 4 : 3;
      // Keras gate order: LSTM i, f, c, o (= PyTorch's); GRU z, r, h (PyTorch: r, z, n).
      // tfjs's GRU applies r before W_hn (reset_after=false), so its GRU computes other numbers
      // with the same work; its time is comparable, its output is not.
      const order = w.kind === 'lstm' ? [0, 1, 2, 3] : [1, 0, 2];
      const layerWeights = (k, inSize) => {
        const wi = blocks(sd[`weight_ih_l${k}`].data, inSize, order);
        const wh = blocks(sd[`weight_hh_l${k}`].data, H, order);
        const bias = blocks(sd[`bias_ih_l${k}`].data, 1, order).map((v, i) => v + blocks(sd[`bias_hh_l${k}`].data, 1, order)[i]);
        return [tf.tensor2d(transpose(wi, G * H, inSize), [inSize, G * H]), tf.tensor2d(transpose(wh, G * H, H), [H, G * H]), tf.tensor1d(bias)];
      };
      if (w.steps === 1) {
        // One step of a 2-layer LSTM with tf.basicLSTMCell: kernel [[W_ih]; [W_hh]]ᵀ with gates i, j(g), f, o.
        const cells = [0, 1].map((k) => {
          const inSize = k ? H : w.input;
          const cellOrder = [0, 2, 1, 3];
          const wi = blocks(sd[`weight_ih_l${k}`].data, inSize, cellOrder);
          const wh = blocks(sd[`weight_hh_l${k}`].data, H, cellOrder);
          const kernel = tf.concat([tf.tensor2d(transpose(wi, 4 * H, inSize), [inSize, 4 * H]), tf.tensor2d(transpose(wh, 4 * H, H), [H, 4 * H])], 0);
          const bi = blocks(sd[`bias_ih_l${k}`].data, 1, cellOrder), bh = blocks(sd[`bias_hh_l${k}`].data, 1, cellOrder);
          return { kernel, bias: tf.tensor1d(bi.map((v, i) => v + bh[i])) };
        });
        let state = [0, 1].map(() => ({ c: tf.zeros([w.batch, H]), h: tf.zeros([w.batch, H]) }));
        const forget = tf.scalar(0);
        return {
          async run() {
            const data = tf.tensor2d(x.data, [w.batch, w.input]);
            let input = data;
            const next = cells.map((cell, k) => {
              const [c, h] = tf.basicLSTMCell(forget, cell.kernel, cell.bias, input, state[k].c, state[k].h);
              input = h;
              return { c, h };
            });
            for (const s of state) tf.dispose([s.c, s.h]);
            data.dispose();
            state = next;
            return state[1].h.dataSync();
          },
        };
      }
      const model = tf.sequential();
      for (let k = 0; k < w.layers; k++) {
        // Zero initializers: the weights are set below, and tfjs's default orthogonal one is slow.
        const options = { units: H, returnSequences: k < w.layers - 1, recurrentActivation: 'sigmoid', kernelInitializer: 'zeros', recurrentInitializer: 'zeros',
          ...(k === 0 ? { inputShape: [w.steps, w.input] } : {}) };
        model.add(w.kind === 'lstm' ? tf.layers.lstm(options) : tf.layers.gru(options));
        model.layers[k].setWeights(layerWeights(k, k ? H : w.input));
      }
      // Keras is batch-first: (batch, steps, input).
      const batchFirst = new Float32Array(x.data.length);
      for (let t = 0; t < w.steps; t++) for (let b = 0; b < w.batch; b++) batchFirst.set(x.data.subarray((t * w.batch + b) * w.input, (t * w.batch + b + 1) * w.input), (b * w.steps + t) * w.input);
      return {
        async run() {
          const y = tf.tidy(() => model.predict(tf.tensor3d(batchFirst, [w.batch, w.steps, w.input])));
          const data = y.dataSync();
          y.dispose();
          return data;
        },
      };
    },
  };
}
