// Runs the models off the main thread, so typing never waits for them. Messages in: load,
// sentiment, nextword, continue, and the "Teach it" panel's finetune, finetune-reset, char-start,
// char-stop, char-continue, char-checkpoint; each answer carries the request's id. Training
// also posts finetune-progress, char-progress, char-error and char-stopped, which answer no request.
import { Vocabulary, backend, init, loadModel, saveCheckpoint, threads, tokenizeSst2, tokenizeWords } from 'rnn-wasm';

import { CHAR_MODEL, CHAR_TRAINING, CharModelTraining } from './char-model.js';
import { FINE_TUNE, SentimentTuner } from './fine-tune.js';

let sentiment, sentimentVocab, lm, lmVocab, session;
let fed = []; // the tokens the session has been fed, to feed only what is new

// Fetches a file, reporting bytes as they arrive.
async function fetchWithProgress(url, onBytes) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  const reader = response.body.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    onBytes(value.length);
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

async function load({ base, sizes }) {
  const started = performance.now();
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  let loaded = 0;
  const progress = (n) => {
    loaded += n;
    postMessage({ type: 'progress', loaded, total });
  };
  const [, sentimentBytes, sentimentVocabText, lmBytes, lmVocabText] = await Promise.all([
    init(), // threads: 'auto', as many as the page allows (one where it is not cross-origin isolated)
    fetchWithProgress(new URL('sentiment.safetensors', base), progress),
    fetchWithProgress(new URL('sentiment.vocab.json', base), progress),
    fetchWithProgress(new URL('nextword.safetensors', base), progress),
    fetchWithProgress(new URL('nextword.vocab.json', base), progress),
  ]);
  const text = (bytes) => new TextDecoder().decode(bytes);
  sentiment = loadModel(sentimentBytes);
  sentimentVocab = new Vocabulary(JSON.parse(text(sentimentVocabText)));
  lm = loadModel(lmBytes);
  lmVocab = new Vocabulary(JSON.parse(text(lmVocabText)));
  session = lm.session();
  // The wasm travels inside a JavaScript chunk (rnn-simd.bytes-<hash>.js once built); init()
  // loads only the chosen build's.
  const wasm = performance.getEntriesByType('resource').find((e) => /rnn-[a-z-]+\.bytes/.test(e.name));
  return { backend: backend(), threads: threads(), wasmBytes: wasm ? wasm.encodedBodySize || wasm.transferSize : 0, loadMs: performance.now() - started };
}

function analyse({ text }) {
  const tokens = tokenizeSst2(text);
  if (tokens.length === 0) return { tokens, trace: [] };
  const model = tuner?.model ?? sentiment; // fine-tuned in "Teach it", or as shipped
  const trace = model.trace(sentimentVocab.encode(tokens)).map((p) => p[1]);
  return { tokens, trace };
}

// Feeds the session only the tokens that extend what it has seen; an edit earlier in the text
// resets it. The word being typed (no space after it yet) is not fed: it filters the suggestions.
function sync(text) {
  const complete = /[\s.,;:?!]$/.test(text) || text === '';
  const tokens = tokenizeWords(text);
  const partial = complete || tokens.length === 0 ? '' : tokens.pop();
  const context = ['<eos>', ...tokens];
  const keep = fed.length <= context.length && fed.every((t, i) => t === context[i]);
  if (!keep) {
    session.reset();
    fed = [];
  }
  const fresh = context.slice(fed.length);
  let msPerStep = null;
  if (fresh.length) {
    const started = performance.now();
    session.feed(lmVocab.encode(fresh));
    msPerStep = (performance.now() - started) / fresh.length;
    fed = context;
  }
  return { partial, msPerStep, fedNow: fresh.length, fedTotal: fed.length };
}

function suggest({ text }) {
  const { partial, msPerStep, fedNow, fedTotal } = sync(text);
  const p = session.probabilities();
  const special = new Set(lmVocab.specialIds);
  const ranked = Array.from(p.keys()).sort((a, b) => p[b] - p[a]);
  const suggestions = [];
  for (const id of ranked) {
    const word = lmVocab.tokens[id];
    if (special.has(id) || !word.startsWith(partial)) continue;
    suggestions.push({ word, probability: p[id] });
    if (suggestions.length === 5) break;
  }
  return { suggestions, partial, msPerStep, fedNow, fedTotal };
}

function continueText({ text, temperature, topK }) {
  const { partial } = sync(text.endsWith(' ') || text === '' ? text : `${text} `);
  const branch = session.clone();
  try {
    const words = [];
    for (let i = 0; i < 8; i++) {
      const id = branch.sample({ temperature, topK, exclude: lmVocab.specialIds });
      words.push(lmVocab.tokens[id]);
      branch.feed([id]);
    }
    return { words, partial };
  } finally {
    branch.dispose();
  }
}

// ---- "Teach it": training in this worker, between the other panels' requests

// Yields to the worker's event loop: a message to ourselves on a MessageChannel queues behind the
// requests already waiting, so they are answered first, and is not clamped to 4 ms as a nested
// setTimeout is.
const ticks = new MessageChannel();
const waitingTicks = [];
ticks.port1.onmessage = () => waitingTicks.shift()();
const nextTick = () => new Promise((resolve) => {
  waitingTicks.push(resolve);
  ticks.port2.postMessage(null);
});

// The demo's one training loop (the library's fit() may replace it). step() is one synchronous
// optimizer step returning its loss; after each the loop yields, so the other panels' requests
// are answered between steps, and it ends at `steps` or as soon as isStopped() is true. The
// losses go to report() at most every 100 ms, so the page redraws rarely; a last report has done.
async function trainLoop({ step, steps = Infinity, isStopped = () => false, report }) {
  let losses = [];
  let reportedAt = performance.now();
  for (let i = 0; i < steps && !isStopped(); i++) {
    losses.push(step());
    if (performance.now() - reportedAt >= 100) {
      report(losses, { done: false });
      losses = [];
      reportedAt = performance.now();
    }
    await nextTick();
  }
  report(losses, { done: true });
}

// -- fine-tuning the sentiment model

let tuner; // SentimentTuner, made at the first fine-tune
let tuning = false;

async function fineTune({ replayUrl, examples }) {
  if (tuning) throw new Error('already training');
  tuning = true;
  try {
    if (!tuner) {
      const response = await fetch(replayUrl);
      if (!response.ok) throw new Error(`could not load ${replayUrl}: HTTP ${response.status}`);
      tuner = new SentimentTuner(sentiment, sentimentVocab, await response.json());
    }
    const before = tuner.evaluate(examples);
    const { step, dispose } = tuner.makeStep(examples);
    const started = performance.now();
    try {
      await trainLoop({ step, steps: FINE_TUNE.steps, report: (losses) => postMessage({ type: 'finetune-progress', losses }) });
    } finally {
      dispose();
    }
    return { before, after: tuner.evaluate(examples), ms: performance.now() - started, settings: FINE_TUNE };
  } finally {
    tuning = false;
  }
}

function resetSentiment() {
  if (tuning) throw new Error('wait for the training to finish');
  tuner?.reset();
  return {};
}

// -- a character model from scratch

let char = null; // { training: CharModelTraining, running, stopRequested, loop, smoothed, ... }

async function charStart({ source, url, text }) {
  await charStop();
  let body = text;
  if (source === 'bundled') {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
    body = await response.text();
  }
  const training = new CharModelTraining(body ?? ''); // throws on text it cannot train on
  char?.training.dispose();
  char = { training, running: false, smoothed: undefined, trainedMs: 0 };
  runCharLoop();
  const parameters = Object.values(training.model.stateDict()).reduce((n, t) => n + t.data.length, 0);
  return { characters: training.characters.length, length: training.ids.length, parameters, model: CHAR_MODEL, settings: CHAR_TRAINING };
}

function runCharLoop() {
  const run = char;
  const training = run.training;
  run.running = true;
  run.stopRequested = false;
  let reportedAt = performance.now();
  let sampledAt = -Infinity;
  const recent = [[reportedAt, training.step]]; // [time, step] over the last ~2 s, for tokens/s
  const report = (losses, { done }) => {
    const now = performance.now();
    run.trainedMs += now - reportedAt;
    reportedAt = now;
    // Smoothed over ~10 steps: one window's loss is noisy.
    for (const loss of losses) run.smoothed = run.smoothed === undefined ? loss : 0.9 * run.smoothed + 0.1 * loss;
    recent.push([now, training.step]);
    while (recent.length > 2 && now - recent[1][0] >= 2000) recent.shift();
    const [then, stepThen] = recent[0];
    const tokensPerSecond = now > then ? ((training.step - stepThen) * training.tokensPerStep * 1000) / (now - then) : 0;
    let sample;
    if (done || now - sampledAt >= 3000) {
      sample = training.sample(240);
      sampledAt = now;
    }
    postMessage({ type: 'char-progress', losses, smoothed: run.smoothed, step: training.step, epoch: training.epoch, tokensPerSecond, seconds: run.trainedMs / 1000, sample });
  };
  run.loop = trainLoop({ step: () => training.trainStep(), isStopped: () => run.stopRequested, report })
    .catch((e) => postMessage({ type: 'char-error', message: e.message ?? String(e) }))
    .finally(() => {
      run.running = false;
      postMessage({ type: 'char-stopped', step: training.step });
    });
}

async function charStop() {
  if (char?.running) {
    char.stopRequested = true;
    await char.loop;
  }
  return { step: char?.training.step ?? 0 };
}

function charContinue() {
  if (!char) throw new Error('train a model first');
  if (!char.running) runCharLoop();
  return { step: char.training.step };
}

// The bytes of "Download checkpoint": the library's checkpoint (weights, Adam's state, the step),
// which loadCheckpoint resumes and PyTorch continues (rnn_wasm.load_checkpoint), with the
// characters the ids stand for.
function checkpointBytes({ model, optimizer, characters, step, epoch }) {
  return saveCheckpoint({ model, optimizer, step, epoch, metadata: { characters: JSON.stringify(characters) } });
}

function charCheckpoint() {
  if (!char) throw new Error('train a model first');
  const bytes = checkpointBytes(char.training);
  // What the page shows next to the download, so a test can check the file holds these weights.
  const checksum = {};
  for (const [name, tensor] of Object.entries(char.training.model.stateDict())) {
    let sum = 0, sumOfSquares = 0;
    for (const v of tensor.data) {
      sum += v;
      sumOfSquares += v * v;
    }
    checksum[name] = { sum, sumOfSquares };
  }
  return { bytes, checksum, step: char.training.step };
}

const handlers = {
  load, sentiment: analyse, nextword: suggest, continue: continueText,
  finetune: fineTune, 'finetune-reset': resetSentiment,
  'char-start': charStart, 'char-stop': charStop, 'char-continue': charContinue, 'char-checkpoint': charCheckpoint,
};

onmessage = async ({ data }) => {
  try {
    const result = await handlers[data.type](data);
    postMessage({ type: data.type, id: data.id, ...result });
  } catch (e) {
    postMessage({ type: 'error', id: data.id, request: data.type, message: e.message ?? String(e) });
  }
};
