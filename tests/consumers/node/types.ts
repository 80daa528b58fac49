// TypeScript: the package's declarations, type-checked as a user's code (tsc --strict, with
// NodeNext and with bundler module resolution). The @ts-expect-error lines must stay errors.
import { LSTM, RnnError, Tensor, init, type InitOptions } from 'rnn-wasm';

const options: InitOptions = { backend: 'simd' };
await init(options);
const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2 });
const [output, [hN, cN]] = lstm.forward(new Tensor(new Float32Array(6), [2, 1, 3]));
const sizes: number[] = [...output.shape, ...hN.shape, ...cN.shape];
const first: number = output.data[0];
try {
  lstm.forward(new Tensor(new Float32Array(4), [4]));
} catch (e) {
  if (e instanceof RnnError) console.log(e.code satisfies 'shape' | 'weights' | 'argument' | 'disposed' | 'memory', sizes, first);
}
// @ts-expect-error: hiddenSize is required
new LSTM({ inputSize: 3 });
// @ts-expect-error: no such backend
await init({ backend: 'gpu' });
lstm.dispose();
