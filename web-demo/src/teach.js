// The "Teach it" panel: fine-tune the sentiment model on sentences the user labels, and train a
// character model from scratch. Both train in the worker (worker.js); this page only draws the
// progress it posts (at most every 100 ms), so typing elsewhere never waits.
import { LossChart } from './loss-chart.js';

const $ = (id) => document.getElementById(id);
const LABELS = ['negative', 'positive'];

// Some of the sentiment panel's examples, and two sentences the shipped model gets wrong.
const PREFILLED = [
  ['A gorgeous, witty, seductive movie.', 1],
  ['not good', 0],
  ['not bad at all', 1],
  ['The plot is a mess and the acting is even worse.', 0],
  ["It's not a masterpiece, but it's a lot of fun.", 1],
  ['It is far from boring.', 1], // the shipped model: 94% negative
  ['I wanted to love it.', 0], // 85% positive
];

/**
 * ask(type, payload, { ownErrors }) sends a request to the worker; on(type, handler) receives
 * the messages that answer no request; sentimentChanged() redraws the sentiment panel.
 */
export function setupTeachPanel({ ask, on, sentimentChanged }) {
  setupFineTune({ ask, on, sentimentChanged });
  setupCharModel({ ask, on });
}

// ---- fine-tuning the sentiment model

function setupFineTune({ ask, on, sentimentChanged }) {
  const examples = PREFILLED.map(([text, label]) => ({ text, label }));
  const chart = new LossChart($('finetune-chart'), { unit: 'nats' });
  const panel = $('finetune');
  let training = false;

  const percent = (p) => `${(100 * p).toFixed(1)}%`;
  // "negative 89.9% ✗": the predicted label, its probability, and whether it matches the label.
  const prediction = (p, wanted) => {
    if (p === undefined) return '';
    const label = p >= 0.5 ? 1 : 0;
    const mark = label === wanted ? '<span class="right">✓</span>' : '<span class="wrong">✗</span>';
    return `<span class="${LABELS[label]}">${LABELS[label]} <span class="nowrap">${percent(label ? p : 1 - p)} ${mark}</span></span>`;
  };

  function render() {
    const rows = $('finetune-examples');
    rows.innerHTML = '';
    examples.forEach((example, i) => {
      const row = document.createElement('tr');
      row.dataset.text = example.text;
      row.dataset.label = LABELS[example.label];
      if (example.after !== undefined) row.dataset.after = LABELS[example.after >= 0.5 ? 1 : 0];
      row.innerHTML = `<td class="sentence"></td>
        <td><button class="label negative" aria-pressed="${example.label === 0}">negative</button><button class="label positive" aria-pressed="${example.label === 1}">positive</button></td>
        <td class="prediction">${prediction(example.before, example.label)}</td>
        <td class="prediction">${prediction(example.after, example.label)}</td>
        <td><button class="remove" title="remove">✕</button></td>`;
      row.querySelector('.sentence').textContent = example.text;
      const [negative, positive] = row.querySelectorAll('button.label');
      negative.onclick = () => relabel(i, 0);
      positive.onclick = () => relabel(i, 1);
      row.querySelector('.remove').onclick = () => {
        examples.splice(i, 1);
        render();
      };
      row.querySelectorAll('button').forEach((b) => (b.disabled = training));
      rows.append(row);
    });
    $('finetune-train').disabled = training || examples.length === 0;
    $('finetune-reset').disabled = training;
    $('finetune-add-positive').disabled = $('finetune-add-negative').disabled = training;
  }

  function relabel(i, label) {
    examples[i].label = label;
    render();
  }

  function add(label) {
    const text = $('finetune-new').value.trim();
    if (!text) return showError('finetune-error', 'type a sentence to label first');
    examples.push({ text, label });
    $('finetune-new').value = '';
    showError('finetune-error', '');
    render();
  }

  async function train() {
    training = true;
    panel.dataset.state = 'training';
    showError('finetune-error', '');
    examples.forEach((e) => (e.before = e.after = undefined));
    render();
    chart.clear();
    $('finetune-status').textContent = 'training…';
    try {
      const answer = await ask('finetune', {
        replayUrl: new URL('data/sentiment-replay.json', document.baseURI).href,
        examples: examples.map(({ text, label }) => ({ text, label })),
      }, { ownErrors: true });
      answer.before.predictions.forEach((p, i) => (examples[i].before = p));
      answer.after.predictions.forEach((p, i) => (examples[i].after = p));
      showReplay(answer.before, answer.after);
      const s = answer.settings;
      $('finetune-status').textContent = `${s.steps} steps in ${(answer.ms / 1000).toFixed(1)} s · Adam, lr ${s.lr} · ${s.replayPerStep} replayed sentences per step · ${s.frozen.map((p) => p.replace(/\.$/, '')).join(', ')} frozen`;
      panel.dataset.state = 'trained';
    } catch (e) {
      showError('finetune-error', e.message);
      $('finetune-status').textContent = '';
      panel.dataset.state = 'idle';
    } finally {
      training = false;
      render();
      sentimentChanged();
    }
  }

  function showReplay(before, after) {
    const points = (a) => (100 * a.accuracy).toFixed(1);
    const replay = $('finetune-replay');
    replay.innerHTML = `Replay set accuracy: <b>${points(before.heldOut)}% → ${points(after.heldOut)}%</b> on the ${after.heldOut.count} sentences held out (never trained on), ` +
      `${points(before.replayed)}% → ${points(after.replayed)}% on the ${after.replayed.count} replayed.`;
    Object.assign(replay.dataset, {
      heldOutBefore: before.heldOut.accuracy, heldOutAfter: after.heldOut.accuracy,
      replayedBefore: before.replayed.accuracy, replayedAfter: after.replayed.accuracy,
      allBefore: overall(before), allAfter: overall(after),
    });
  }
  const overall = (r) => (r.heldOut.accuracy * r.heldOut.count + r.replayed.accuracy * r.replayed.count) / (r.heldOut.count + r.replayed.count);

  async function reset() {
    try {
      await ask('finetune-reset', {}, { ownErrors: true });
      examples.forEach((e) => (e.before = e.after = undefined));
      chart.clear();
      $('finetune-replay').textContent = '';
      delete $('finetune-replay').dataset.heldOutAfter;
      $('finetune-status').textContent = 'back to the shipped model';
      panel.dataset.state = 'idle';
      render();
      sentimentChanged();
    } catch (e) {
      showError('finetune-error', e.message);
    }
  }

  on('finetune-progress', ({ losses }) => chart.push(losses));
  $('finetune-add-positive').onclick = () => add(1);
  $('finetune-add-negative').onclick = () => add(0);
  $('finetune-train').onclick = train;
  $('finetune-reset').onclick = reset;
  panel.dataset.state = 'idle';
  render();
  chart.draw();
}

// ---- a character model from scratch

function setupCharModel({ ask, on }) {
  const panel = $('char');
  const chart = new LossChart($('char-chart'), { mark: 2.5, unit: 'nats per character' });

  function setState(state) {
    panel.dataset.state = state; // idle | starting | running | stopped
    $('char-stop').disabled = state !== 'running';
    $('char-continue').disabled = state !== 'stopped';
    $('char-download').disabled = state !== 'running' && state !== 'stopped';
    $('char-train').disabled = state === 'starting';
  }

  async function start() {
    const source = document.querySelector('input[name="char-source"]:checked').value;
    showError('char-error', '');
    setState('starting');
    try {
      const info = await ask('char-start', {
        source,
        url: new URL('data/tinyshakespeare.txt', document.baseURI).href,
        text: source === 'pasted' ? $('char-text').value : undefined,
      }, { ownErrors: true });
      chart.clear();
      $('char-sample').textContent = '';
      $('char-info').textContent = `${info.length.toLocaleString('en')} characters, ${info.characters} distinct · LSTM ${info.model.numLayers}×${info.model.hiddenSize}, embedding ${info.model.embeddingDim}, ` +
        `${info.parameters.toLocaleString('en')} parameters · ${info.settings.streams} streams × ${info.settings.window} characters per step, Adam lr ${info.settings.lr}, clip ${info.settings.maxGradNorm}`;
      setState('running');
    } catch (e) {
      showError('char-error', e.message);
      setState(panel.dataset.previous ?? 'idle');
    }
  }

  async function stop() {
    $('char-stop').disabled = true;
    await ask('char-stop', {}, { ownErrors: true }).catch((e) => showError('char-error', e.message));
  }

  async function resume() {
    try {
      await ask('char-continue', {}, { ownErrors: true });
      setState('running');
    } catch (e) {
      showError('char-error', e.message);
    }
  }

  async function download() {
    try {
      const { bytes, checksum, step } = await ask('char-checkpoint', {}, { ownErrors: true });
      const name = `char-model-step-${step}.safetensors`;
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      const note = $('char-checkpoint');
      note.textContent = `${name}: ${(bytes.length / 1024).toFixed(0)} KB, the weights after step ${step}`;
      note.dataset.checksum = JSON.stringify(checksum); // for the e2e test: what the file must hold
      note.dataset.step = step;
    } catch (e) {
      showError('char-error', e.message);
    }
  }

  on('char-progress', (p) => {
    chart.push(p.losses);
    $('char-stats').textContent = `step ${p.step.toLocaleString('en')} · epoch ${p.epoch + 1} · loss ${p.smoothed?.toFixed(3) ?? '–'} nats per character · ` +
      `${Math.round(p.tokensPerSecond).toLocaleString('en')} tokens/s · ${p.seconds.toFixed(1)} s of training`;
    if (p.sample !== undefined) {
      $('char-sample').textContent = p.sample;
      $('char-sample-note').textContent = `sampled at step ${p.step} (temperature 0.8)`;
    }
    Object.assign(panel.dataset, { step: p.step, loss: p.smoothed, tokensPerSecond: p.tokensPerSecond, seconds: p.seconds });
  });
  on('char-stopped', () => panel.dataset.state !== 'starting' && setState('stopped'));
  on('char-error', ({ message }) => showError('char-error', message));

  const sourceChanged = () => ($('char-text').disabled = document.querySelector('input[name="char-source"]:checked').value !== 'pasted');
  document.querySelectorAll('input[name="char-source"]').forEach((r) => (r.onchange = sourceChanged));
  sourceChanged();
  $('char-train').onclick = () => {
    panel.dataset.previous = panel.dataset.state === 'running' ? 'stopped' : panel.dataset.state;
    start();
  };
  $('char-stop').onclick = stop;
  $('char-continue').onclick = resume;
  $('char-download').onclick = download;
  setState('idle');
  chart.draw();
}

function showError(id, message) {
  $(id).textContent = message; // messages as the worker and RnnError give them
  $(id).hidden = !message;
}
