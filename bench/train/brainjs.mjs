// brain.js training runner: recurrent.LSTM, one sequence at a time (it has no batches), with its
// own initialisation, loss and optimizer (RMSprop without bias correction, per-element gradient
// clipping). Its learning rate is the others' 2e-3: at its default 0.01 the error rose 10^5-fold
// within 5 sequences (at 2e-3 it still jumps now and then). Only its speed is comparable:
// characters per second on T1's and T2's sizes, on the same text windows as the others' batches.
// Its LSTM is not PyTorch's either: brain.js 1.x keeps no cell state (it gates h_{t-1} where an
// LSTM gates c_{t-1}), and it predicts 65 outputs per 64 characters (a start and an end token).
// No T3: its recurrent nets take a sequence of ids and predict the next ones; there is no
// many-to-one classifier with its own output size, so T3's task cannot be expressed.
import { createRequire } from 'node:module';

import { ADAM } from './data.mjs';

const require = createRequire(import.meta.url);

export function brainTrainer() {
  const brain = require('brain.js');
  const version = require('brain.js/package.json').version;
  return {
    name: `brain.js ${version}`,
    setup(w) {
      if (w.kind !== 'lm') throw new Error('no many-to-one classifier in brain.js');
      // inputSize is the embedding width; ids 0..64 become its 1..65 (0 is its start/end token).
      const net = new brain.recurrent.LSTM({ inputSize: w.embedding, inputRange: w.vocab, outputSize: w.vocab, hiddenLayers: Array(w.layers).fill(w.hidden), learningRate: ADAM.lr });
      net.initialize();
      return {
        // Its error is perplexity / 100 (2 ** (mean of -log2 p) / 100, as brain.js reports it).
        sequence: (ids) => net.trainPattern(ids, true),
      };
    },
  };
}
