// node examples/models.mjs (after npm run build): the five shapes of recurrent model, loaded
// from files written by the PyTorch twins (here the small random models of the test suite).
import { readFileSync } from 'node:fs';

import { init, loadModel, Tensor } from 'rnn-wasm';

await init();
const file = (name) => readFileSync(new URL(`../tests/golden/models/${name}.safetensors`, import.meta.url));

// one-to-one: Sequential of Linear layers and activations
const mlp = loadModel(file('sequential'));
console.log('Sequential:', Array.from(mlp.forward(new Tensor([0.5, -1, 2, 0], [1, 4])).data, (v) => v.toFixed(3)));

// many-to-one: a text classifier; predict one text or a batch, trace word by word
const classifier = loadModel(file('classifier_lstm_last'));
console.log('TextClassifier.predict:', Array.from(classifier.predict([5, 3, 9, 12]), (p) => p.toFixed(3)));
console.log('TextClassifier.trace:', classifier.trace([5, 3, 9, 12]).map((p) => p[1].toFixed(3)).join(' '));

// synchronous many-to-many: a language model with a streaming session
const lm = loadModel(file('lm_lstm_2layers'));
const session = lm.session();
session.feed([3, 14, 15]);   // costs three steps
session.feed([9]);           // costs one more step, not four
console.log('LanguageModel top 3:', session.topK(3).map(({ id, probability }) => `${id} (${probability.toFixed(3)})`).join(', '));
console.log('LanguageModel.generate:', lm.generate([3, 14], { maxTokens: 6, temperature: 0.8, topK: 5, seed: 7 }).join(' '));
session.dispose();

// many-to-many encoder-decoder: translation with beam search
const seq2seq = loadModel(file('seq2seq_gru'));
console.log('Seq2Seq.translate:', seq2seq.translate([3, 4, 5, 6], { bosId: 1, eosId: 2, beamSize: 3, maxLen: 10 }));

// one-to-many: a feature vector to a sequence
const generator = loadModel(file('generator_lstm'));
console.log('SequenceGenerator.generate:', generator.generate([0.5, -1, 2, 0, 1], { bosId: 1, eosId: 2, maxLen: 8 }));

for (const model of [mlp, classifier, lm, seq2seq, generator]) model.dispose();
