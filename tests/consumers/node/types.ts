// TypeScript: the package's declarations, type-checked as a user's code (tsc --strict, with
// NodeNext and with bundler module resolution). The @ts-expect-error lines must stay errors.
import { LSTM, RnnError, Tensor, TextClassifier, fit, init, loadCheckpoint, type FitProgress, type InitOptions } from 'rnn-wasm';

const options: InitOptions = { backend: 'simd' };
await init(options);
const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2 });
const [output, [hN, cN]] = lstm.forward(new Tensor(new Float32Array(6), [2, 1, 3]));
const sizes: number[] = [...output.shape, ...hN.shape, ...cN.shape];
const first: number = output.data[0];
try {
  lstm.forward(new Tensor(new Float32Array(4), [4]));
} catch (e) {
  if (e instanceof RnnError) console.log(e.code satisfies 'shape' | 'weights' | 'argument' | 'disposed' | 'memory' | 'worker', sizes, first);
}
// @ts-expect-error: hiddenSize is required
new LSTM({ inputSize: 3 });
// @ts-expect-error: no such backend
await init({ backend: 'gpu' });
lstm.dispose();
const classifier = new TextClassifier({ vocabSize: 10, embeddingDim: 4, hiddenSize: 4, numClasses: 2 });
const run = fit(classifier, { data: [[[1, 2], 0]], optimizer: { name: 'sgd', lr: 0.1 }, worker: false });
for await (const p of run.progress) {
  const report: FitProgress = p;
  console.log(report.loss.toFixed(3), report.validation?.accuracy);
}
const { steps }: { steps: number } = await run.done;
const resumed = loadCheckpoint(await run.checkpoint());
console.log(steps, resumed.step, resumed.optimizer?.lr);
// @ts-expect-error: an optimizer fit does not know
fit(classifier, { data: [], optimizer: { name: 'rmsprop' } });
