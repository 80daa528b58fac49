// The input both sides feed the LSTM: BLOCKS render quanta of 128 frames of a sine.
export const BLOCKS = 20;
export const signal = () => Float32Array.from({ length: 128 * BLOCKS }, (_, i) => Math.sin(i / 20));
