// What every consumer project runs: rnn-wasm as its users import it, a 2-layer LSTM loaded with
// PyTorch's weights, and its output compared with PyTorch's (fixture.js).
import { LSTM, Tensor, backend, init } from 'rnn-wasm';

import fixture from './fixture.js';

const tensor = ({ data, shape }) => new Tensor(new Float32Array(data), shape);

export async function runCheck(initOptions) {
  await init(initOptions);
  const lstm = new LSTM(fixture.config);
  lstm.loadStateDict(Object.fromEntries(Object.entries(fixture.weights).map(([name, t]) => [name, tensor(t)])));
  const [output] = lstm.forward(tensor(fixture.input));
  lstm.dispose();
  let maxError = output.data.length === fixture.output.data.length ? 0 : Infinity;
  fixture.output.data.forEach((expected, i) => {
    maxError = Math.max(maxError, Math.abs(output.data[i] - expected));
  });
  return { ok: maxError < 1e-5, maxError, backend: backend() };
}
