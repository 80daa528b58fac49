// The page: three panels that send requests to the worker and draw its answers.
import { setupTeachPanel } from './teach.js';

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
const $ = (id) => document.getElementById(id);
let nextId = 0;
const latest = {}; // request type -> id of the newest request, so stale answers are dropped
const pending = new Map();
const events = {}; // type -> handler, for the messages that answer no request (training progress)

// ownErrors: the caller shows the error itself (in its panel), not the page's error line.
function ask(type, payload = {}, { ownErrors = false } = {}) {
  const id = ++nextId;
  latest[type] = id;
  worker.postMessage({ type, id, ...payload });
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject, ownErrors }));
}

worker.onmessage = ({ data }) => {
  if (data.type === 'progress') {
    $('progress').style.width = `${Math.round((100 * data.loaded) / data.total)}%`;
    return;
  }
  if (events[data.type]) {
    events[data.type](data);
    return;
  }
  const request = pending.get(data.id);
  pending.delete(data.id);
  if (data.type === 'error') {
    if (!request?.ownErrors) showError(`${data.request}: ${data.message}`);
    request?.reject(new Error(data.message));
  } else {
    request?.resolve(data);
  }
};

function showError(message) {
  $('error').hidden = false;
  $('error').textContent = message; // RnnError messages as they are
}

// ---- sentiment

const EXAMPLES = [
  'A gorgeous, witty, seductive movie.',
  'not good',
  'not bad at all',
  'The plot is a mess and the acting is even worse.',
  "It's not a masterpiece, but it's a lot of fun.",
];

async function updateSentiment() {
  const text = $('sentiment-input').value;
  const answer = await ask('sentiment', { text });
  if (answer.id !== latest.sentiment) return;
  const { tokens, trace } = answer;
  const result = $('sentiment-result');
  if (!tokens.length) {
    result.textContent = '';
    result.className = 'result';
    $('sentiment-chart').innerHTML = '';
    $('sentiment-words').innerHTML = '';
    return;
  }
  const positive = trace[trace.length - 1];
  const label = positive >= 0.5 ? 'positive' : 'negative';
  result.textContent = `${label} ${(100 * Math.max(positive, 1 - positive)).toFixed(1)}%`;
  result.className = `result ${label}`;
  result.dataset.label = label;
  result.dataset.trace = trace.join(' '); // for tests: the probabilities, each to the last bit
  drawChart(trace);
  drawWords(tokens, trace);
}

function drawChart(trace) {
  const W = 600, H = 160, pad = 12;
  const x = (i) => pad + (trace.length === 1 ? (W - 2 * pad) / 2 : (i * (W - 2 * pad)) / (trace.length - 1));
  const y = (p) => pad + (1 - p) * (H - 2 * pad);
  const points = trace.map((p, i) => `${x(i).toFixed(1)},${y(p).toFixed(1)}`).join(' ');
  const dots = trace.map((p, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(p).toFixed(1)}" r="3.5" fill="${p >= 0.5 ? '#1e7b34' : '#b3261e'}"/>`).join('');
  $('sentiment-chart').innerHTML =
    `<line x1="0" x2="${W}" y1="${y(0.5)}" y2="${y(0.5)}" stroke="#c5cbd4" stroke-dasharray="4 4"/>` +
    `<text x="4" y="${y(1) + 4}" font-size="10" fill="#5b6573">positive</text><text x="4" y="${y(0) - 2}" font-size="10" fill="#5b6573">negative</text>` +
    `<polyline points="${points}" fill="none" stroke="#3b6fd8" stroke-width="2"/>${dots}`;
}

function drawWords(tokens, trace) {
  $('sentiment-words').innerHTML = '';
  tokens.forEach((token, i) => {
    const delta = trace[i] - (i ? trace[i - 1] : 0.5);
    const span = document.createElement('span');
    span.textContent = token;
    const alpha = Math.min(1, Math.abs(delta) * 2.5).toFixed(2);
    span.style.background = delta >= 0 ? `rgba(30, 123, 52, ${alpha})` : `rgba(179, 38, 30, ${alpha})`;
    span.style.color = Number(alpha) > 0.5 ? '#fff' : '#1d2430';
    span.title = `positive ${(100 * trace[i]).toFixed(1)}% (${delta >= 0 ? '+' : ''}${(100 * delta).toFixed(1)})`;
    $('sentiment-words').append(span);
  });
}

// ---- next word

async function updateSuggestions() {
  const text = $('nextword-input').value;
  const answer = await ask('nextword', { text });
  if (answer.id !== latest.nextword) return;
  const list = $('suggestions');
  list.innerHTML = '';
  const top = answer.suggestions[0]?.probability ?? 1;
  for (const { word, probability } of answer.suggestions) {
    const item = document.createElement('li');
    item.dataset.word = word;
    item.dataset.probability = probability; // for tests: to the last bit
    item.innerHTML = `<span class="word"></span><span class="prob" style="width:${Math.max(2, (100 * probability) / top).toFixed(0)}%"></span><span class="pct">${(100 * probability).toFixed(1)}%</span>`;
    item.querySelector('.word').textContent = word;
    item.onclick = () => appendWord(word, answer.partial);
    list.append(item);
  }
  list.dataset.text = text; // for tests: which text these suggestions answer
  if (answer.msPerStep !== null) {
    $('nextword-timing').textContent = `${answer.msPerStep.toFixed(2)} ms per step · fed ${answer.fedNow} new token${answer.fedNow === 1 ? '' : 's'} (${answer.fedTotal} in the session)`;
  }
}

function appendWord(word, partial) {
  const input = $('nextword-input');
  const text = partial ? input.value.slice(0, input.value.length - partial.length) : input.value;
  const glue = text === '' || /\s$/.test(text) || /^[.,;:?!]/.test(word) ? '' : ' ';
  input.value = `${text}${glue}${word} `;
  input.focus();
  updateSuggestions();
}

async function continueText() {
  const text = $('nextword-input').value;
  const answer = await ask('continue', { text, temperature: Number($('temperature').value), topK: Number($('topk').value) });
  const input = $('nextword-input');
  const base = input.value.endsWith(' ') || input.value === '' ? input.value : `${input.value} `;
  input.value = `${base}${answer.words.map((w, i) => (i && /^[.,;:?!]/.test(w) ? w : ` ${w}`)).join('').trimStart()} `;
  updateSuggestions();
}

// ---- start

async function start() {
  const base = new URL('models/', document.baseURI).href;
  const sizes = {};
  await Promise.all(['sentiment.safetensors', 'sentiment.vocab.json', 'nextword.safetensors', 'nextword.vocab.json'].map(async (name) => {
    const head = await fetch(new URL(name, base), { method: 'HEAD' });
    sizes[name] = Number(head.headers.get('content-length')) || 1;
  }));
  const info = await ask('load', { base, sizes });
  $('loading').hidden = true;
  const build = { relaxed: 'WebAssembly relaxed SIMD, fused multiply-add', simd: 'WebAssembly SIMD', baseline: 'no SIMD' }[info.backend.replace(/-threads$/, '')];
  // Threads need a cross-origin-isolated page: the server sends COOP and COEP (see the README).
  const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}${crossOriginIsolated ? '' : ' (the page is not cross-origin isolated)'}`;
  $('status').textContent = `rnn-wasm ${info.backend} (${build}) · ${threads} · wasm ${(info.wasmBytes / 1024).toFixed(0)} KB · models ${(Object.values(sizes).reduce((a, b) => a + b, 0) / 1e6).toFixed(1)} MB, loaded and ready in ${info.loadMs.toFixed(0)} ms`;
  $('status').dataset.threads = info.threads; // for tests
  document.body.dataset.ready = 'true';
  for (const text of EXAMPLES) {
    const button = document.createElement('button');
    button.textContent = text;
    button.onclick = () => {
      $('sentiment-input').value = text;
      updateSentiment();
    };
    $('sentiment-examples').append(button);
  }
  $('sentiment-input').addEventListener('input', updateSentiment);
  $('nextword-input').addEventListener('input', updateSuggestions);
  $('continue').addEventListener('click', continueText);
  $('temperature').addEventListener('input', () => ($('temperature-value').textContent = $('temperature').value));
  updateSuggestions();
  setupTeachPanel({ ask, on: (type, handler) => (events[type] = handler), sentimentChanged: updateSentiment });
}

start().catch((e) => showError(e.message));
