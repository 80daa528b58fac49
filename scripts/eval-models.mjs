// npm run eval-models: the exported demo models evaluated by rnn-wasm on held-out data, and
// compared with PyTorch's predictions on the same data (training/results/*.json):
//   SST-2 dev accuracy of web-demo/public/models/sentiment.safetensors, and the share of dev
//   sentences where rnn-wasm and PyTorch predict the same class (target: at least 99.9%).
// Reads the data from ../shared/data (beside the repository); skips what is not there.
import { existsSync, readFileSync } from 'node:fs';

import { Vocabulary, init, loadModel } from 'rnn-wasm';

const shared = new URL('../../shared/data/', import.meta.url);
await init();
let failed = false;

function readSst2(file) {
  return readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean).map((line) => {
    const [sentence, label] = line.split('\t');
    return { tokens: sentence.trim().split(' '), label: Number(label) };
  });
}

const sst2 = new URL('sst2/dev.tsv', shared);
if (existsSync(sst2)) {
  const model = loadModel(readFileSync('web-demo/public/models/sentiment.safetensors'));
  const vocab = new Vocabulary(JSON.parse(readFileSync('web-demo/public/models/sentiment.vocab.json', 'utf8')));
  const reference = JSON.parse(readFileSync('training/results/sentiment.json', 'utf8'));
  const dev = readSst2(sst2);
  const started = performance.now();
  const predictions = model.predict(dev.map((row) => vocab.encode(row.tokens))).map((p) => (p[1] > p[0] ? 1 : 0));
  const ms = performance.now() - started;
  const accuracy = predictions.filter((p, i) => p === dev[i].label).length / dev.length;
  const agree = predictions.filter((p, i) => p === reference.devPredictionsFloat16[i]).length / dev.length;
  console.log(`SST-2 dev: accuracy ${accuracy.toFixed(4)} (PyTorch: ${reference.devAccuracyFloat16.toFixed(4)}); same prediction as PyTorch on ${(100 * agree).toFixed(2)}% of ${dev.length} sentences; ${ms.toFixed(0)} ms for all`);
  if (agree < 0.999) failed = true;
  model.dispose();
} else {
  console.log('SST-2 dev: ../shared/data/sst2 not found, skipped');
}
process.exit(failed ? 1 : 0);
