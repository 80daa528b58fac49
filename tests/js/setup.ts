// Every test file: the module is loaded first (the build named by RNN_WASM_BACKEND, else the
// one init() picks), and every test must leave no object alive.
import { init, liveObjectCount, type Backend } from 'rnn-wasm';

beforeAll(async () => {
  await init({ backend: process.env.RNN_WASM_BACKEND as Backend | undefined });
});

afterEach(() => {
  expect(liveObjectCount()).toBe(0);
});
