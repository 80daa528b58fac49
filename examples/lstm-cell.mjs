// npm run example: an LSTM cell in wasm, stepped over a short sequence with its state carried.
// Weights here come from the cell's seeded initialisation; a PyTorch model's come from
// cell.loadStateDict(...) with the same names (weight_ih, weight_hh, bias_ih, bias_hh).
import { init, backend, LSTMCell, Tensor, RnnError } from 'rnn-wasm';

await init();
const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4, seed: 42 });
try {
  let state = [Tensor.zeros([1, 4]), Tensor.zeros([1, 4])];
  const sequence = [[0.5, -1, 2], [1, 0, -0.5], [-2, 0.25, 1]];
  for (const [t, values] of sequence.entries()) {
    state = cell.forward(new Tensor(values, [1, 3]), state);
    console.log(`t=${t} h =`, Array.from(state[0].data, (v) => v.toFixed(4)).join(' '));
  }
  try {
    cell.forward(new Tensor([1, 2], [1, 2]));
  } catch (e) {
    if (!(e instanceof RnnError)) throw e;
    console.log(`a wrong shape is an RnnError '${e.code}': ${e.message}`);
  }
  console.log(`backend: ${backend()}`);
} finally {
  cell.dispose();
}
