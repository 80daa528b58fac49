// Worker side of "Teach it": fine-tunes the sentiment model on the user's labelled sentences.
// Each step also replays sentences from a small bundled set (public/data/sentiment-replay.json)
// so the model keeps what it knew; a third of that set is held out, never trained on, to show
// honestly whether it forgot.
import { Random, TextClassifier, clipGradNorm, optim, tokenizeSst2 } from 'rnn-wasm';

// Chosen by experiment on the pre-filled sentences (see the panel's hint and the e2e test):
// 30 steps of Adam at 1e-3 flip "It is far from boring." (0.06 -> 0.97 positive) and the
// held-out replay accuracy stays within two points (97% -> 95%); without replay, an earlier
// model fell from 93% to 90%. The embedding stays frozen:
// a few sentences touch a few of its 6,548 rows, and moving them would drag those words away
// from every other sentence that uses them; it also halves the step time.
export const FINE_TUNE = { steps: 30, lr: 1e-3, replayPerStep: 16, maxGradNorm: 1, frozen: ['embedding.'], seed: 17 };

export class SentimentTuner {
  /**
   * shipped: the demo's TextClassifier as loaded, with int8 weights, which do not train
   * (docs/int8.md); the first fine-tune makes a float32 copy of its weights (W', the same
   * predictions) and trains that. replay: the parsed JSON.
   */
  constructor(shipped, vocab, replay) {
    this.shipped = shipped;
    this.tuned = null; // the float32 copy, once fine-tuned
    this.vocab = vocab;
    const items = replay.sentences.map(([text, label]) => ({ ids: this.encode(text), label }));
    // Sentences come in pairs (a positive, then its negative counterpart): every third pair is
    // held out, so both sides of a pair are on the same side of the split.
    const heldOut = (i) => Math.floor(i / 2) % 3 === 2;
    this.replayed = items.filter((_, i) => !heldOut(i));
    this.heldOut = items.filter((_, i) => heldOut(i));
  }

  /** The model the sentiment panel runs: the fine-tuned copy, or the shipped model. */
  get model() {
    return this.tuned ?? this.shipped;
  }

  encode(text) {
    const ids = this.vocab.encode(tokenizeSst2(text));
    if (ids.length === 0) throw new Error(`"${text}" has no words to classify`);
    return ids;
  }

  /** P(positive) for each example, and the replay set's accuracy (replayed part, held-out part). */
  evaluate(examples) {
    const positive = (texts) => this.model.predict(texts).map((p) => p[1]);
    const accuracy = (set) => positive(set.map((s) => s.ids)).filter((p, i) => (p >= 0.5 ? 1 : 0) === set[i].label).length / set.length;
    return {
      predictions: examples.length ? positive(examples.map((e) => this.encode(e.text))) : [],
      replayed: { accuracy: accuracy(this.replayed), count: this.replayed.length },
      heldOut: { accuracy: accuracy(this.heldOut), count: this.heldOut.length },
    };
  }

  /**
   * One optimizer step's work, for the worker's training loop: the user's sentences and a
   * replay batch each add the gradient of their mean loss (so the two weigh the same whatever
   * their sizes). Returns { step, dispose }; step() returns the loss on the user's sentences.
   */
  makeStep(examples) {
    if (examples.length === 0) throw new Error('label at least one sentence first');
    const ids = examples.map((e) => this.encode(e.text));
    const labels = examples.map((e) => e.label);
    const replay = shuffledBatches(this.replayed, FINE_TUNE.replayPerStep, new Random(FINE_TUNE.seed));
    if (!this.tuned) {
      this.tuned = new TextClassifier(this.shipped.config);
      this.tuned.loadStateDict(this.shipped.stateDict());
    }
    this.model.freeze(FINE_TUNE.frozen);
    const optimizer = new optim.Adam(this.model, { lr: FINE_TUNE.lr });
    const step = () => {
      // Train mode only inside the step: between steps the sentiment panel runs this model too.
      this.model.train();
      try {
        optimizer.zeroGrad();
        const loss = this.model.loss(ids, labels);
        const batch = replay.next().value;
        this.model.loss(batch.map((s) => s.ids), batch.map((s) => s.label));
        clipGradNorm(this.model, FINE_TUNE.maxGradNorm);
        optimizer.step();
        return loss;
      } finally {
        this.model.eval();
      }
    };
    return { step, dispose: () => optimizer.dispose() };
  }

  /** Back to the model the demo shipped. */
  reset() {
    this.tuned?.dispose();
    this.tuned = null;
  }
}

/** Endless batches of `size` items: each pass over `items` in a new order drawn by `random` (seeded, so a run repeats exactly). */
function* shuffledBatches(items, size, random) {
  let order = [];
  for (;;) {
    const batch = [];
    while (batch.length < size) {
      if (order.length === 0) order = random.shuffle(items.slice());
      batch.push(order.pop());
    }
    yield batch;
  }
}
