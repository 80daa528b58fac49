// AudioWorklet-style use: after `await init()`, every call is synchronous, so a real-time
// callback can step an LSTM per audio block. Here render(input, output), like an
// AudioWorkletProcessor's process(), runs 1,000 blocks of 128 frames, one step per frame.
import { LSTM, Tensor, init } from 'rnn-wasm';

await init();
const lstm = new LSTM({ inputSize: 1, hiddenSize: 8, seed: 1 });
const state = lstm.state({ batch: 1 });
const frame = new Tensor(new Float32Array(1), [1, 1]);

function render(input, output) {
  for (let i = 0; i < input.length; i++) {
    frame.data[0] = input[i];
    const y = lstm.step(frame, state);
    if (y instanceof Promise) throw new Error('step returned a Promise');
    output[i] = y.data[0];
  }
  return true;
}

const input = new Float32Array(128), output = new Float32Array(128);
for (let block = 0; block < 1000; block++) {
  for (let i = 0; i < 128; i++) input[i] = Math.sin((block * 128 + i) / 20);
  render(input, output);
}
const ok = output.every(Number.isFinite) && output.some((v) => v !== 0);
console.log(JSON.stringify({ ok, last: output[127] }));
state.dispose();
lstm.dispose();
process.exitCode = ok ? 0 : 1;
