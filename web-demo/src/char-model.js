// Worker side of "Teach it": a character-level language model trained from scratch on the bundled
// Tiny Shakespeare or on text the user pastes, by truncated backpropagation through time.
import { LanguageModel, clipGradNorm, optim } from 'rnn-wasm';

// Chosen by experiment (Node, the same wasm, Tiny Shakespeare): hidden 128 learns fastest per
// second on the minute scale (loss 1.57 after 30 s, against 1.68 for 192 and 1.80 for 256),
// and 16 streams of 64 characters keep a step near 25 ms, so other requests wait little.
export const CHAR_MODEL = { embeddingDim: 48, hiddenSize: 128, numLayers: 1, cell: 'lstm' };
export const CHAR_TRAINING = { streams: 16, window: 64, lr: 5e-3, maxGradNorm: 5 };
// More distinct characters than this is not text a character model learns in a minute.
const MAX_CHARACTERS = 256;

export class CharModelTraining {
  constructor(text) {
    const { streams, window } = CHAR_TRAINING;
    const chars = Array.from(text); // code points, so an emoji is one character
    const minimum = streams * window + 1;
    if (chars.length < minimum) {
      throw new Error(`the text is too short: ${chars.length} characters; paste at least ${minimum.toLocaleString('en')} (${streams} streams of ${window}-character windows), a few pages is better`);
    }
    this.characters = [...new Set(chars)].sort();
    if (this.characters.length > MAX_CHARACTERS) {
      throw new Error(`the text has ${this.characters.length} different characters; a character model here takes at most ${MAX_CHARACTERS}`);
    }
    const index = new Map(this.characters.map((c, i) => [c, i]));
    this.ids = Int32Array.from(chars, (c) => index.get(c));
    this.model = new LanguageModel({ vocabSize: this.characters.length, ...CHAR_MODEL });
    this.optimizer = new optim.Adam(this.model, { lr: CHAR_TRAINING.lr });
    // Stream b reads ids[b * streamLength ...]; windows follow each other, the state carried.
    this.state = this.model.trainState(streams);
    this.streamLength = Math.floor((this.ids.length - 1) / streams);
    this.position = 0;
    this.step = 0;
    this.epoch = 0;
    this.tokensPerStep = streams * window;
  }

  /** One optimizer step on the next window of every stream; returns the mean loss (nats per character). */
  trainStep() {
    const { streams, window, maxGradNorm } = CHAR_TRAINING;
    if (this.position + window > this.streamLength) {
      this.position = 0;
      this.epoch++;
      this.state.reset();
    }
    const inputs = [];
    const targets = [];
    for (let b = 0; b < streams; b++) {
      const start = b * this.streamLength + this.position;
      inputs.push(this.ids.subarray(start, start + window));
      targets.push(this.ids.subarray(start + 1, start + window + 1));
    }
    this.position += window;
    // Train mode only inside the step: sampling between steps runs in eval mode.
    this.model.train();
    try {
      this.optimizer.zeroGrad();
      const loss = this.model.loss(inputs, targets, { state: this.state });
      clipGradNorm(this.model, maxGradNorm);
      this.optimizer.step();
      this.step++;
      return loss;
    } finally {
      this.model.eval();
    }
  }

  /** `length` characters sampled from the current weights, after a newline (or the text's first character). */
  sample(length, { temperature = 0.8, seed = this.step } = {}) {
    const newline = this.characters.indexOf('\n');
    const prompt = newline >= 0 ? newline : this.ids[0];
    const ids = this.model.generate([prompt], { maxTokens: length, temperature, seed });
    return ids.map((i) => this.characters[i]).join('');
  }

  dispose() {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
