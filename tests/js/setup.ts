// Every test file: the module is loaded first, and every test must leave no object alive.
import { init, liveObjectCount } from 'rnn-wasm';

beforeAll(async () => {
  await init();
});

afterEach(() => {
  expect(liveObjectCount()).toBe(0);
});
