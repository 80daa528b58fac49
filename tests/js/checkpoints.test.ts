// Checkpoints (issue #11): a run saved and resumed in a fresh process gives the same bits as the
// run in one go; PyTorch's checkpoints (rnn_wasm.save_checkpoint) continue here and ours in
// PyTorch (tests/golden/checkpoints/, from make_golden_checkpoints.py), within the optimizer
// parity of training.test.ts; and every malformed file or argument is a typed error.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as R from 'rnn-wasm';
import { LSTM, Random, RnnError, Tensor, TextClassifier, loadCheckpoint, loadSafetensors, optim, saveCheckpoint, saveSafetensors } from 'rnn-wasm';

import { readCases, train } from './support/checkpoint-run.mjs';
import { flagsFor } from './support/relaxed-flags.js';

const golden = (name: string) => new URL(`../golden/checkpoints/${name}.safetensors`, import.meta.url);
const { cases, tensors } = readCases(R);
const names = Object.keys(cases);
const TOLERANCE = 2e-5; // relative to each tensor's scale, as training.test.ts measures optimizer parity

/** max |a - b| / max |b| over every tensor of two dicts with the same names. */
function worstRelative(got: Record<string, Tensor>, want: Record<string, Tensor>): number {
  expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  return Math.max(...Object.keys(want).map((k) => {
    const scale = Math.max(...want[k].data.map(Math.abs));
    const diff = Math.max(...want[k].data.map((w, i) => Math.abs(got[k].data[i] - w)));
    return scale ? diff / scale : diff;
  }));
}

function dispose(run: { model: { dispose(): void }; optimizer?: { dispose(): void } }): void {
  run.optimizer?.dispose();
  run.model.dispose();
}

describe('resuming is exact: N steps, save, load in a fresh process, N more = 2N in one go, bit for bit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-checkpoints-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** checkpoint-run.mjs in a fresh `node` with this build. */
  function runInChild(options: Record<string, unknown>): Promise<void> {
    const script = fileURLToPath(new URL('./support/checkpoint-run.mjs', import.meta.url));
    const library = new URL('../../dist/index.js', import.meta.url).href;
    return new Promise((resolve, reject) => {
      const flags = flagsFor(R.backend());
      const child = spawn(process.execPath, [...flags, script, library, R.backend(), JSON.stringify(options)], { env: { ...process.env, NODE_OPTIONS: '' } });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`checkpoint-run exited with ${code}: ${err}`))));
    });
  }

  test.each(names)('%s (batches drawn by the run\'s seeded Random)', async (name) => {
    const n = cases[name].steps;
    const at = (file: string) => join(dir, `${name}.${file}`);
    await Promise.all([
      runInChild({ case: name, until: n, randomBatches: true, save: at('half') }),
      runInChild({ case: name, until: 2 * n, randomBatches: true, save: at('whole') }),
    ]);
    await runInChild({ case: name, from: at('half'), until: 2 * n, randomBatches: true, save: at('resumed') });
    const whole = readFileSync(at('whole')), resumed = readFileSync(at('resumed'));
    // The whole file: weights, optimizer state, step, epoch and the generator's state.
    expect(Buffer.compare(resumed, whole)).toBe(0);
    // And not trivially: the first half's file differs from both.
    expect(Buffer.compare(readFileSync(at('half')), whole)).not.toBe(0);
  });
});

describe('PyTorch → rnn-wasm: a checkpoint from rnn_wasm.save_checkpoint continues here', () => {
  test.each(names)('%s', (name) => {
    const n = cases[name].steps;
    const run = train(R, { case: name, from: fileURLToPath(golden(`${name}.from_pytorch`)), until: 2 * n });
    try {
      expect(run.optimizer.typeName).toBe(cases[name].optimizer);
      expect(run.optimizer.lr).toBe(cases[name].options.lr);
      expect(worstRelative(run.model.stateDict(), tensors(`${name}.pytorch_2n.`))).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      dispose(run);
    }
  });
});

describe('rnn-wasm → PyTorch: our checkpoint is the file PyTorch continued', () => {
  test.each(names)('%s', (name) => {
    const run = train(R, { case: name, until: cases[name].steps });
    try {
      const ours = loadSafetensors(saveCheckpoint({ model: run.model, optimizer: run.optimizer, step: run.step, epoch: 1, rng: run.rng }));
      const continued = loadSafetensors(readFileSync(golden(`${name}.from_js`)));
      expect(ours.metadata).toEqual(continued.metadata);
      // Written by the SIMD build; the baseline build's sums round a little differently.
      expect(worstRelative(ours.tensors, continued.tensors)).toBeLessThanOrEqual(1e-6);
      expect(worstRelative(tensors(`${name}.pytorch_after_js.`), tensors(`${name}.pytorch_2n.`))).toBeLessThanOrEqual(TOLERANCE);
    } finally {
      dispose(run);
    }
  });
});

describe('saveCheckpoint / loadCheckpoint', () => {
  function trained() {
    const model = new TextClassifier({ vocabSize: 11, embeddingDim: 4, hiddenSize: 5, numClasses: 2 });
    const optimizer = new optim.SGD(model, { lr: 0.1, momentum: 0.9, nesterov: true });
    model.train();
    for (let i = 0; i < 2; i++) {
      optimizer.zeroGrad();
      model.loss([[1, 2, 3], [4, 5]], [0, 1]);
      optimizer.step();
    }
    return { model, optimizer };
  }

  test('restores the model, the optimizer, the counters and the generator, into new or given objects', () => {
    const { model, optimizer } = trained();
    const rng = new Random(9);
    rng.next();
    const bytes = saveCheckpoint({ model, optimizer, step: 2, epoch: 1, rng, metadata: { characters: '["a","b"]' } });
    const built = loadCheckpoint(bytes);
    expect(built.metadata).toEqual({ characters: '["a","b"]' });
    const other = new TextClassifier(model.config);
    const otherOptimizer = new optim.SGD(other, { lr: 0.5, momentum: 0.9, nesterov: true });
    try {
      expect([built.model.kind, built.step, built.epoch, built.rng?.state, built.optimizer?.typeName]).toEqual(['TextClassifier', 2, 1, rng.state, 'SGD']);
      expect(worstRelative(built.model.stateDict(), model.stateDict())).toBe(0);
      expect(built.optimizer!.stateDict()).toEqual(optimizer.stateDict());
      const into = loadCheckpoint(bytes, { model: other, optimizer: otherOptimizer });
      expect(into.model).toBe(other);
      expect(into.optimizer).toBe(otherOptimizer);
      expect(worstRelative(other.stateDict(), model.stateDict())).toBe(0);
      expect(otherOptimizer.lr).toBe(0.1); // the checkpoint's learning rate
      expect(otherOptimizer.stateDict()).toEqual(optimizer.stateDict());
    } finally {
      for (const o of [built.optimizer!, built.model, otherOptimizer, other, optimizer, model]) o.dispose();
    }
  });

  test('a module (no model kind) saves, and loads into a given module', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3 });
    const copy = new LSTM({ inputSize: 2, hiddenSize: 3 });
    try {
      const bytes = saveCheckpoint({ model: lstm, step: 5 });
      expect(() => loadCheckpoint(bytes)).toThrow(/names no model kind.*loadCheckpoint\(bytes, \{ model \}\)/);
      expect(loadCheckpoint(bytes, { model: copy }).step).toBe(5);
      expect(worstRelative(copy.stateDict(), lstm.stateDict())).toBe(0);
    } finally {
      lstm.dispose();
      copy.dispose();
    }
  });

  test('a file that does not fit is RnnError "weights", and nothing changes', () => {
    const { model, optimizer } = trained();
    const bytes = saveCheckpoint({ model, optimizer, step: 2 });
    const { tensors: t, metadata } = loadSafetensors(bytes);
    const edited = (changes: Record<string, string | undefined>, extra: Record<string, Tensor> = {}) =>
      saveSafetensors({ ...t, ...extra }, Object.fromEntries(Object.entries({ ...metadata, ...changes }).filter(([, v]) => v !== undefined)) as Record<string, string>);
    // [file, message, whether it also fails when loaded into given objects (which ignore the config)]
    const cases: [Uint8Array, RegExp, boolean?][] = [
      [saveSafetensors(t, { format: 'rnn-wasm' }), /not an rnn-wasm checkpoint/],
      [edited({ formatVersion: '2' }), /format version 2, newer/],
      [edited({ step: '-1' }), /'step' is "-1"/],
      [edited({ optimizer: 'LBFGS' }), /unknown optimizer "LBFGS"/],
      [edited({ 'optimizer.param_groups': '{' }), /param_groups' is not valid JSON/],
      [edited({ rng: '{"algorithm":"mt19937","state":1}' }), /algorithm "mt19937"/],
      [edited({ rng: '{"algorithm":"mulberry32","state":-3}' }), /rng.*integer in \[0, 2\^32\)/],
      [edited({}, { 'optimizer.state.0.momentum_buffer': new Tensor([1, 2]) }), /momentum_buffer' of 2 values, expected 44/],
      [edited({}, { 'optimizer.state.99.momentum_buffer': new Tensor([1]) }), /state for parameter "99"|state for parameter '99'/],
      [edited({}, { 'stray.tensor': new Tensor([1]) }), /unexpected tensor 'stray.tensor'/],
      [edited({}, { 'model.head.weight': new Tensor([1]) }), /unexpected 'head.weight'/],
      [edited({ config: '{"vocabSize":11}' }), /config: TextClassifier: the config needs/, false],
    ];
    const before = model.stateDict();
    const optimizerBefore = optimizer.stateDict();
    try {
      for (const [file, message, alsoInto = true] of cases) {
        for (const into of alsoInto ? [{}, { model, optimizer }] : [{}]) {
          let error: unknown;
          try {
            loadCheckpoint(file, into);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(RnnError);
          expect((error as RnnError).code).toBe('weights');
          expect((error as Error).message).toMatch(message);
        }
      }
      expect(worstRelative(model.stateDict(), before)).toBe(0);
      expect(optimizer.stateDict()).toEqual(optimizerBefore);
      // Another kind of optimizer than the file's.
      const adam = new optim.Adam(model);
      expect(() => loadCheckpoint(bytes, { model, optimizer: adam })).toThrow(/holds SGD state, the given optimizer is Adam/);
      adam.dispose();
      // The module still works afterwards.
      expect(loadCheckpoint(bytes, { model, optimizer }).step).toBe(2);
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  });

  test('bad arguments are RnnError "argument"', () => {
    const { model, optimizer } = trained();
    const stranger = new TextClassifier(model.config);
    const strangers = new optim.Adam(stranger);
    try {
      expect(() => saveCheckpoint(null as never)).toThrow(/expected \{ model, optimizer\?/);
      expect(() => saveCheckpoint({ model: {} as never })).toThrow(/model must be a model or module/);
      expect(() => saveCheckpoint({ model, step: 1.5 })).toThrow(/step must be a non-negative integer/);
      expect(() => saveCheckpoint({ model, rng: { state: 1 } as never })).toThrow(/rng must be a Random/);
      expect(() => saveCheckpoint({ model, optimizer: strangers })).toThrow(/updates another model/);
      expect(() => saveCheckpoint({ model, metadata: { step: '3' } })).toThrow(/metadata may not set 'step'/);
      expect(() => saveCheckpoint({ model, metadata: { n: 3 } as never })).toThrow(/metadata must map names to strings/);
      expect(() => new Random(-1)).toThrow(/seed must be an integer in \[0, 2\^32\)/);
      expect(() => new Random(2 ** 32)).toThrow(RnnError);
    } finally {
      for (const o of [strangers, stranger, optimizer, model]) o.dispose();
    }
  });
});
