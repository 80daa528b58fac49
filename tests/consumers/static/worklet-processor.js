// An AudioWorkletProcessor stepping an LSTM once per frame. init() gets the wasm bytes from the
// page, so it needs neither fetch nor import(); process() then calls rnn-wasm synchronously.
import { LSTM, Tensor, init } from './node_modules/rnn-wasm/dist/index.js';

import { signal } from './worklet-signal.js';

class LstmProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.input = signal();
    this.frame = 0;
    init({ wasmBinary: options.processorOptions.wasmBinary }).then(() => {
      this.lstm = new LSTM({ inputSize: 1, hiddenSize: 8, seed: 1 });
      this.state = this.lstm.state({ batch: 1 });
      this.x = new Tensor(new Float32Array(1), [1, 1]);
      this.port.postMessage({ ready: true });
    }, (error) => this.port.postMessage({ error: String(error?.stack ?? error) }));
  }

  process(inputs, outputs) {
    const out = outputs[0][0];
    for (let i = 0; i < out.length; i++) {
      this.x.data[0] = this.input[this.frame++];
      out[i] = this.lstm.step(this.x, this.state).data[0];
    }
    return true;
  }
}

registerProcessor('lstm-processor', LstmProcessor);
