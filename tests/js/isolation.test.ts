// Isolation (issue #9): models used together give the numbers each gives alone, whether they
// share one wasm instance (interleaved calls, several sessions) or each thread has its own
// (worker_threads, several at once, each importing the package and calling init).
import { Worker } from 'node:worker_threads';

import * as rnn from 'rnn-wasm';
import { LanguageModel, LanguageModelSession, Seq2Seq, TextClassifier, loadModel } from 'rnn-wasm';

import { goldenModelFile } from './helpers.js';
import { run } from './support/workload.mjs';

type Model = ReturnType<typeof loadModel>;

/** What one model does, call by call; each PLANS entry makes new closures (a session lives across calls). */
interface Plan {
  file: string;
  calls: ((model: Model) => unknown)[];
  cleanup(): void;
}

const PLANS: Record<string, () => Plan> = {
  classifier: () => ({
    file: 'classifier_gru_bi_mean',
    calls: [(m) => (m as TextClassifier).predict([[3, 7, 1, 12], [5]]), (m) => (m as TextClassifier).trace([5, 9, 2, 14]), (m) => (m as TextClassifier).predict([1, 2])],
    cleanup() {},
  }),
  lm: () => {
    let session: LanguageModelSession | undefined;
    return {
      file: 'lm_lstm_2layers',
      calls: [
        (m) => ((session = (m as LanguageModel).session()), session.feed([3, 14]), session.logits()),
        () => (session!.feed([7]), session!.topK(3)),
        (m) => (m as LanguageModel).generate([3], { maxTokens: 5, temperature: 0 }),
        () => (session!.feed([1, 2, 22]), session!.logits()),
      ],
      cleanup: () => session?.dispose(),
    };
  },
  seq2seq: () => ({
    file: 'seq2seq_lstm',
    calls: [(m) => (m as Seq2Seq).translate([4, 9, 11], { bosId: 1, eosId: 2, beamSize: 3, maxLen: 8 }), (m) => (m as Seq2Seq).translate([5], { bosId: 1, eosId: 2 })],
    cleanup() {},
  }),
};

function runAlone(name: string): unknown[] {
  const plan = PLANS[name]();
  const model = loadModel(goldenModelFile(plan.file));
  try {
    return plan.calls.map((call) => call(model));
  } finally {
    plan.cleanup();
    model.dispose();
  }
}

/** All plans at once, one call of each in turn. */
function runInterleaved(names: string[]): Record<string, unknown[]> {
  const plans = names.map((name) => PLANS[name]());
  const models = plans.map((plan) => loadModel(goldenModelFile(plan.file)));
  const results = Object.fromEntries(names.map((name) => [name, [] as unknown[]]));
  try {
    for (let i = 0; i < Math.max(...plans.map((p) => p.calls.length)); i++) {
      plans.forEach((plan, k) => i < plan.calls.length && results[names[k]].push(plan.calls[i](models[k])));
    }
    return results;
  } finally {
    plans.forEach((plan) => plan.cleanup());
    models.forEach((model) => model.dispose());
  }
}

test('models used together in one instance, calls interleaved, give the numbers each gives alone', () => {
  const names = Object.keys(PLANS);
  const alone = Object.fromEntries(names.map((name) => [name, runAlone(name)]));
  expect(runInterleaved(names)).toEqual(alone);
  expect(runInterleaved([...names].reverse())).toEqual(alone);
});

test('two sessions of one LanguageModel, fed in turn, each as if alone', () => {
  const lm = loadModel(goldenModelFile('lm_gru_tied')) as LanguageModel;
  const prompts = [[3, 14, 7, 1], [22, 0, 5, 5]];
  try {
    const alone = prompts.map((prompt) => {
      const session = lm.session();
      try {
        return prompt.map((id) => (session.feed([id]), session.logits()));
      } finally {
        session.dispose();
      }
    });
    const sessions = prompts.map(() => lm.session());
    try {
      const together = prompts.map(() => [] as Float32Array[]);
      for (let t = 0; t < 4; t++) {
        sessions.forEach((session, k) => (session.feed([prompts[k][t]]), together[k].push(session.logits())));
      }
      expect(together).toEqual(alone);
      expect(alone[0]).not.toEqual(alone[1]);
    } finally {
      sessions.forEach((session) => session.dispose());
    }
  } finally {
    lm.dispose();
  }
});

interface WorkloadRun {
  backend: string;
  results: Record<string, number[]>;
  live: number;
}

/** The workload in a worker thread with its own import of the package and its own init. */
function runInWorker(backend: string): Promise<WorkloadRun> {
  const library = new URL('../../dist/index.js', import.meta.url).href;
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./support/workload.mjs', import.meta.url), { workerData: { library, backend } });
    worker.once('message', (message: WorkloadRun) => resolve(message));
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker (${backend}) exited with ${code}`)));
  });
}

test('workers at once, each with its own instance, give the numbers of this thread (or of the other build within 1e-6)', async () => {
  const here = rnn.backend();
  const other = here === 'simd' ? 'baseline' : 'simd';
  const expected = run(rnn);
  const runs = await Promise.all([runInWorker(here), runInWorker(here), runInWorker(other)]);
  expect(runs.map((r) => [r.backend, r.live])).toEqual([[here, 0], [here, 0], [other, 0]]);
  expect(runs[0].results).toEqual(expected);
  expect(runs[1].results).toEqual(expected);
  const apart = Object.entries(expected).filter(([name, values]) =>
    values.some((v, i) => !(Math.abs(v - runs[2].results[name][i]) <= 1e-6 * Math.max(1, Math.abs(v)))));
  expect(apart.map(([name]) => name)).toEqual([]);
  expect(run(rnn)).toEqual(expected); // and this thread's instance was not disturbed
});
