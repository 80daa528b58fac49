// Runs the models off the main thread, so typing never waits for them. Messages in: load,
// sentiment, nextword, continue; each answer carries the request's id.
import { Vocabulary, backend, init, loadModel, tokenizeSst2, tokenizeWords } from 'rnn-wasm';

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
    init(),
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
  // The wasm travels inside a JavaScript chunk (rnn-simd.bytes-<hash>.js once built).
  const wasm = performance.getEntriesByType('resource').find((e) => /rnn-(simd|baseline)\.bytes/.test(e.name));
  return { backend: backend(), wasmBytes: wasm ? wasm.encodedBodySize || wasm.transferSize : 0, loadMs: performance.now() - started };
}

function analyse({ text }) {
  const tokens = tokenizeSst2(text);
  if (tokens.length === 0) return { tokens, trace: [] };
  const trace = sentiment.trace(sentimentVocab.encode(tokens)).map((p) => p[1]);
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

const handlers = { load, sentiment: analyse, nextword: suggest, continue: continueText };

onmessage = async ({ data }) => {
  try {
    const result = await handlers[data.type](data);
    postMessage({ type: data.type, id: data.id, ...result });
  } catch (e) {
    postMessage({ type: 'error', id: data.id, request: data.type, message: e.message ?? String(e) });
  }
};
