// TensorFlow.js training runner (wasm or cpu backend): tf.layers models trained with
// trainOnBatch and tf.train.adam, from the same initial weights and batches as PyTorch.
//   setup(w, stateDict) -> { step(batch): Promise<{ loss, gradNorm }> }
// What differs from PyTorch, and why:
// - Embedding: the wasm backend has no gradient for tf.gather ("Kernel 'UnsortedSegmentSum' not
//   registered for backend 'wasm'"), so tf.layers.embedding cannot train there. T1/T2 feed
//   one-hot characters into a bias-free Dense layer holding the embedding matrix: the same
//   math, about 3% of a step's arithmetic at 65 wide. At T3's 10,000 it would be a 2.6 GFLOP
//   product per step, more than the LSTM (on wasm 7.9 s a step, against 1.0-1.3 s), so T3 uses
//   a small layer: tf.gather forward, and as gradient dy's rows summed into a zero table by
//   tf.scatterND (which adds duplicate ids), as PyTorch's embedding backward does.
//   Both backends run the same models.
// - Clipping: tf.train optimizers have no global-norm clipping, so the optimizer's
//   applyGradients (which trainOnBatch calls with every gradient) first scales them as
//   torch.nn.utils.clip_grad_norm_ does: by max_norm / (norm + 1e-6) when that is below 1.
// - Keras has one LSTM bias where PyTorch has two (bias_ih + bias_hh): the same forward, but
//   Adam moves each parameter about lr per step, so PyTorch's sum of two moves twice as far.
//   This is the only difference in the numbers: PyTorch trained with one bias (bias_hh frozen
//   at 0) followed these losses to within 0.005% at every step of T1, T2 and T3.
import { createRequire } from 'node:module';

import { ADAM, CLIP_NORM } from './data.mjs';

const require = createRequire(import.meta.url);

function transpose(t, rows, cols) {
  const out = new Float32Array(t.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t[r * cols + c];
  return out;
}

/** Adam whose applyGradients clips the gradients to a global norm first; keeps each step's norm. */
function clippedAdam(tf) {
  const opt = tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);
  const apply = opt.applyGradients.bind(opt);
  opt.applyGradients = (grads) => {
    // minimize() passes [{ name, tensor }] when given the variables (as trainOnBatch does), else a map.
    const list = Array.isArray(grads) ? grads : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    opt.lastNorm = tf.tidy(() => tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g.tensor)))))).dataSync()[0];
    const coef = CLIP_NORM / (opt.lastNorm + 1e-6);
    if (coef >= 1) return apply(grads);
    const scaled = list.map(({ name, tensor }) => ({ name, tensor: tf.mul(tensor, coef) }));
    apply(scaled);
    tf.dispose(scaled.map((g) => g.tensor));
  };
  return opt;
}

/** tf.layers embedding that trains on every backend: gather forward, scatterND backward. */
function gatherEmbedding(tf, vocab, dim) {
  class GatherEmbedding extends tf.layers.Layer {
    build() {
      this.table = this.addWeight('embeddings', [vocab, dim], 'float32', tf.initializers.zeros());
      this.built = true;
    }
    computeOutputShape(shape) { return [...shape, dim]; }
    call(inputs) {
      const ids = Array.isArray(inputs) ? inputs[0] : inputs;
      const lookup = tf.customGrad((table, idx) => ({
        value: tf.gather(table, idx),
        // Rows of dy summed per id (scatterND adds duplicate indices); ids get no gradient.
        gradFunc: (dy) => [tf.scatterND(tf.reshape(idx, [-1, 1]), tf.reshape(dy, [-1, dim]), [vocab, dim]), tf.zeros(idx.shape)],
      }));
      return lookup(this.table.read(), ids);
    }
    static get className() { return 'GatherEmbedding'; }
  }
  return new GatherEmbedding({ name: 'embedding' });
}

export async function tensorflowTrainer(backendName) {
  const tf = await import('@tensorflow/tfjs');
  if (backendName === 'wasm') {
    const wasmBackend = await import('@tensorflow/tfjs-backend-wasm');
    wasmBackend.setWasmPaths(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm').replace(/[^/]+$/, ''));
  }
  await tf.setBackend(backendName);
  await tf.ready();
  return {
    name: `TensorFlow.js ${tf.version.tfjs} ${backendName}`,
    setup(w, sd) {
      const H = w.hidden, lm = w.kind === 'lm';
      // Zero initializers: every weight is set below (tfjs's default orthogonal one is slow).
      const zeros = { kernelInitializer: 'zeros', recurrentInitializer: 'zeros', biasInitializer: 'zeros' };
      const input = lm ? tf.input({ shape: [w.steps, w.vocab] }) : tf.input({ shape: [w.steps], dtype: 'int32' });
      const embedding = lm ? tf.layers.dense({ units: w.embedding, useBias: false, kernelInitializer: 'zeros', name: 'embedding' }) : gatherEmbedding(tf, w.vocab, w.embedding);
      let x = embedding.apply(input);
      const lstms = [];
      for (let l = 0; l < w.layers; l++) {
        // recurrentActivation 'sigmoid': tfjs's default is hardSigmoid, which is not PyTorch's LSTM.
        lstms.push(tf.layers.lstm({ units: H, returnSequences: lm || l < w.layers - 1, recurrentActivation: 'sigmoid', ...zeros }));
        x = lstms[l].apply(x);
      }
      const out = tf.layers.dense({ units: lm ? w.vocab : w.classes, ...zeros });
      const model = tf.model({ inputs: input, outputs: out.apply(x) });
      // One-hot rows times the Dense kernel (vocab, embedding) pick rows: the kernel is the table as is.
      embedding.setWeights([tf.tensor2d(sd['embedding.weight'].data, [w.vocab, w.embedding])]);
      lstms.forEach((layer, l) => {
        const inSize = l ? H : w.embedding;
        // Keras gates i, f, c, o are PyTorch's i, f, g, o; kernels are PyTorch's weights transposed.
        const bih = sd[`rnn.bias_ih_l${l}`].data, bhh = sd[`rnn.bias_hh_l${l}`].data;
        layer.setWeights([
          tf.tensor2d(transpose(sd[`rnn.weight_ih_l${l}`].data, 4 * H, inSize), [inSize, 4 * H]),
          tf.tensor2d(transpose(sd[`rnn.weight_hh_l${l}`].data, 4 * H, H), [H, 4 * H]),
          tf.tensor1d(bih.map((v, i) => v + bhh[i])),
        ]);
      });
      const head = lm ? 'decoder' : 'head.0', outputs = lm ? w.vocab : w.classes;
      out.setWeights([tf.tensor2d(transpose(sd[`${head}.weight`].data, outputs, H), [H, outputs]), tf.tensor1d(sd[`${head}.bias`].data)]);
      const optimizer = clippedAdam(tf);
      // Mean cross-entropy over every token (T1, T2) or sequence (T3), from logits.
      model.compile({ optimizer, loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
      return {
        async step({ ids, targets, labels }) {
          const [xs, ys] = tf.tidy(() => {
            const flat = ids.flat();
            const xs = lm ? tf.oneHot(tf.tensor2d(flat, [w.batch, w.steps], 'int32'), w.vocab) : tf.tensor2d(flat, [w.batch, w.steps], 'int32');
            const ys = lm ? tf.oneHot(tf.tensor2d(targets.flat(), [w.batch, w.steps], 'int32'), w.vocab) : tf.oneHot(tf.tensor1d(labels, 'int32'), w.classes);
            return [xs, ys];
          });
          const loss = await model.trainOnBatch(xs, ys);
          tf.dispose([xs, ys]);
          return { loss, gradNorm: optimizer.lastNorm };
        },
        dispose() { model.dispose(); },
      };
    },
  };
}
