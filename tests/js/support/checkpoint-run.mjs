// Training runs over the cases of tests/golden/checkpoints/ (make_golden_checkpoints.py), started
// fresh or resumed from a checkpoint: checkpoints.test.ts runs them in the Jest process and in
// fresh child processes, and the generator runs them to hand rnn-wasm's checkpoints to PyTorch.
//
//   node tests/js/support/checkpoint-run.mjs <URL of dist/index.js> <simd|baseline> '<options as JSON>'
//
// options: { case, until, from?, save?, weights?, randomBatches? }: train the case until `until`
// optimizer steps, starting from its initial weights or from the checkpoint file `from`; write a
// checkpoint to `save` and the final state_dict to `weights` (.safetensors). Batches are taken
// in turn (step % batches), or, with randomBatches, drawn by the run's seeded Random, whose state
// the checkpoint carries.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const casesFile = () => readFileSync(new URL('../../golden/checkpoints/cases.safetensors', import.meta.url));

/** The cases: { name: { model, config, optimizer, options, steps, batches } }, and their tensors. */
export function readCases(R) {
  const bytes = casesFile();
  const { metadata } = R.loadSafetensors(bytes);
  return { cases: JSON.parse(metadata.cases), tensors: (prefix) => R.loadSafetensors(bytes, { prefix }).tensors };
}

function lossOf(model, batch) {
  if (model.kind === 'TextClassifier') return model.loss(batch.ids, batch.labels);
  if (model.kind === 'LanguageModel') return model.loss(batch.ids, batch.targets);
  return model.loss(batch.src, batch.tgtIn, batch.tgtOut);
}

/** Runs `options` (see above) with an initialised rnn-wasm `R`; returns { model, optimizer, step, rng, losses }. */
export function train(R, options) {
  const { cases, tensors } = readCases(R);
  const c = cases[options.case];
  let model, optimizer, step = 0, rng = new R.Random(1234);
  if (options.from) {
    ({ model, optimizer, step, rng = rng } = R.loadCheckpoint(readFileSync(options.from)));
  } else {
    model = new R[c.model](c.config);
    model.loadStateDict(tensors(`${options.case}.start.`));
    optimizer = new R.optim[c.optimizer](model, c.options);
  }
  model.train();
  const losses = [];
  for (; step < options.until; step++) {
    const batch = c.batches[options.randomBatches ? Math.floor(rng.next() * c.batches.length) : step % c.batches.length];
    optimizer.zeroGrad();
    losses.push(lossOf(model, batch));
    optimizer.step();
  }
  if (options.save) writeFileSync(options.save, R.saveCheckpoint({ model, optimizer, step, epoch: Math.floor(step / c.batches.length), rng }));
  if (options.weights) writeFileSync(options.weights, R.saveSafetensors(model.stateDict()));
  return { model, optimizer, step, rng, losses };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [library, backend, json] = process.argv.slice(2);
  const R = await import(library);
  await R.init({ backend });
  const { losses } = train(R, JSON.parse(json));
  console.log(JSON.stringify(losses));
}
