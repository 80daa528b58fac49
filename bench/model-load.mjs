// Model load: the demo's two models from bytes in memory to their first prediction, as a page
// runs them once its fetches are done: parse the vocabulary, loadModel, one prediction. The
// shipped int8 files against the same weights (W', from stateDict) written as float32, so the
// row shows what int8 saves on the wire and at load. Bytes are the model and vocabulary files,
// raw and gzip (what a server compressing them sends).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

import { median } from './timing.mjs';

const MODELS = 'web-demo/public/models';

const FIRST_PREDICTION = {
  sentiment: (rnn, model, vocab) => model.predict(vocab.encode(rnn.tokenizeSst2('Not bad at all.'))),
  nextword: (rnn, model, vocab) => {
    const session = model.session();
    session.feed(vocab.encode(rnn.tokenizeWords('we the people of the united')));
    const logits = session.logits();
    session.dispose();
    return logits;
  },
};

/** The file's tensors as float32, with the int8 weights dequantized, and its metadata without int8Scales. */
function asFloat32(rnn, bytes) {
  const model = rnn.loadModel(bytes);
  const { metadata } = rnn.loadSafetensors(bytes);
  const { int8Scales, ...rest } = metadata;
  const state = model.stateDict();
  model.dispose();
  return rnn.saveSafetensors(state, rest);
}

/** For each demo model and each of int8 (shipped) and float32: bytes, gzip bytes, median ms to the first prediction. */
export function measureModelLoad(rnn, rounds) {
  const rows = [];
  for (const name of Object.keys(FIRST_PREDICTION)) {
    const int8 = readFileSync(`${MODELS}/${name}.safetensors`);
    const vocabText = readFileSync(`${MODELS}/${name}.vocab.json`, 'utf8');
    for (const [weights, bytes] of [['int8', int8], ['float32', asFloat32(rnn, int8)]]) {
      const times = [];
      for (let round = 0; round < rounds; round++) {
        const started = performance.now();
        const vocab = new rnn.Vocabulary(JSON.parse(vocabText));
        const model = rnn.loadModel(bytes);
        FIRST_PREDICTION[name](rnn, model, vocab);
        times.push(performance.now() - started);
        model.dispose();
      }
      const files = [bytes, Buffer.from(vocabText)];
      rows.push({
        name, weights, ms: median(times),
        bytes: files.reduce((s, f) => s + f.length, 0),
        gzip: files.reduce((s, f) => s + gzipSync(f, { level: 9 }).length, 0),
      });
    }
  }
  return rows;
}

/** The benchmark's line for the rows of measureModelLoad. */
export function modelLoadLine(rows) {
  const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
  const cells = rows.map((r) => `${r.name} ${r.weights}: ${mb(r.bytes)} (${mb(r.gzip)} gzip), **${r.ms.toFixed(1)} ms**`);
  const total = (weights, key) => rows.filter((r) => r.weights === weights).reduce((s, r) => s + r[key], 0);
  return `Model load, the demo's models from bytes in memory to the first prediction (vocabulary parsed, \`loadModel\`, one prediction; median, simd build): ${cells.join('; ')}. `
    + `Both models: int8 ${mb(total('int8', 'bytes'))} against float32 ${mb(total('float32', 'bytes'))} (${(total('float32', 'bytes') / total('int8', 'bytes')).toFixed(1)}x fewer bytes); `
    + `from bytes to the first predictions int8 takes ${(total('int8', 'ms') / total('float32', 'ms')).toFixed(2)}x float32's time (${total('int8', 'ms').toFixed(1)} against ${total('float32', 'ms').toFixed(1)} ms).`;
}
