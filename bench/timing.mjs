// Timing helpers shared by the benchmarks, in Node and in Chromium pages and Workers.

/** The median of `values` (of an even count, the upper of the middle two). */
export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * One block of calls back to back: `sample()`, which makes its calls and returns their time per
 * call in ms, runs untimed for leadMs (longer than any thread pool spins after a call, so that
 * the pool timed before has gone quiet), then for blockMs, at least once each. Returns the median
 * of the timed samples.
 */
export async function timeBlock(sample, { leadMs, blockMs }) {
  let start = performance.now();
  do await sample(); while (performance.now() - start < leadMs);
  const times = [];
  start = performance.now();
  do times.push(await sample()); while (performance.now() - start < blockMs);
  return median(times);
}
