// rnn-wasm inside a real AudioWorklet: the page hands the processor the wasm bytes (a worklet has
// neither fetch nor import()), the processor steps an LSTM per audio frame, synchronously, in
// process(). Its output must equal the same LSTM stepped on the page.
import { LSTM, Tensor, init } from './node_modules/rnn-wasm/dist/index.js';

import { BLOCKS, signal } from './worklet-signal.js';

async function run() {
  const wasmBinary = await (await fetch('./node_modules/rnn-wasm/dist/wasm/rnn-simd.wasm')).arrayBuffer();
  await init({ wasmBinary: wasmBinary.slice(0) });
  const lstm = new LSTM({ inputSize: 1, hiddenSize: 8, seed: 1 });
  const state = lstm.state({ batch: 1 });
  const expected = signal().map((v) => lstm.step(new Tensor(new Float32Array([v]), [1, 1]), state).data[0]);

  const context = new OfflineAudioContext(1, 128 * BLOCKS, 48000);
  await context.audioWorklet.addModule('./worklet-processor.js');
  const node = new AudioWorkletNode(context, 'lstm-processor', { processorOptions: { wasmBinary } });
  await new Promise((resolve, reject) => {
    node.port.onmessage = (event) => (event.data.ready ? resolve() : reject(new Error(event.data.error)));
  });
  node.connect(context.destination);
  const rendered = (await context.startRendering()).getChannelData(0);
  let maxError = 0;
  expected.forEach((v, i) => { maxError = Math.max(maxError, Math.abs(rendered[i] - v)); });
  return { ok: maxError === 0 && expected.length === 128 * BLOCKS, maxError, frames: expected.length };
}

run().then(
  (result) => { document.body.dataset.result = JSON.stringify({ page: result, worker: result }); },
  (error) => { document.body.dataset.result = JSON.stringify({ error: String(error?.stack ?? error) }); },
);
