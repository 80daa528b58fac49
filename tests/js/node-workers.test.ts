// The library's Node workers (the thread pool's and fit()'s) start whatever Node's options say
// about the type of evaluated code: a script given to `node --input-type=module -e` (or on stdin)
// made their sources run as ES modules, and every worker once failed at its first line,
// `require is not defined in ES module scope`, so that init() threw and fit() never began.
import { execFileSync } from 'node:child_process';

import { flagsFor } from './support/relaxed-flags.js';

const library = new URL('../../dist/index.js', import.meta.url).href;
const model = new URL('../../web-demo/public/models/sentiment.safetensors', import.meta.url);
const kernels = (process.env.RNN_WASM_BACKEND ?? 'simd').replace('-threads', '');
const flags = flagsFor(kernels);

/** Runs `source` as `node <options> -e source` and returns what it printed, as JSON. */
function evalInChild(options: readonly string[], source: string): unknown {
  const out = execFileSync(process.execPath, [...flags, ...options, '-e', source], {
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out);
}

const moduleOptions = [['--input-type=module'], ['--input-type', 'module']].map((o) => [o.join(' '), o] as const);

(kernels === 'baseline' ? describe.skip : describe)('the thread pool', () => {
  test.each(moduleOptions)('starts its workers from a script run with %s', (_, options) => {
    const source = `import * as R from '${library}';
      await R.init({ backend: '${kernels}-threads', threads: 2 });
      console.log(JSON.stringify({ backend: R.backend(), threads: R.threads() }));`;
    expect(evalInChild(options, source)).toEqual({ backend: `${kernels}-threads`, threads: 2 });
  });
});

test.each(moduleOptions)('fit() trains in its worker from a script run with %s', (_, options) => {
  const source = `import * as R from '${library}';
    import { readFileSync } from 'node:fs';
    await R.init({ backend: '${kernels}' });
    const model = R.loadModel(readFileSync(new URL('${model.href}')), { weights: 'float32' });
    const before = model.stateDict()['head.0.weight'].data.slice();
    const run = R.fit(model, { data: [[[12, 7, 431], 1], [[5, 9], 0]], epochs: 2, batchSize: 2, optimizer: { name: 'adam', lr: 1e-2 } });
    const epochs = [];
    for await (const p of run.progress) if (p.epochEnd) epochs.push(p.epoch);
    await run.done;
    const after = model.stateDict()['head.0.weight'].data;
    console.log(JSON.stringify({ epochs, changed: after.some((v, i) => v !== before[i]) }));`;
  expect(evalInChild(options, source)).toEqual({ epochs: [0, 1], changed: true });
});
