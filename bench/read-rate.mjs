// An upper bound for batch 1: every step reads every recurrent weight, so no runtime's call is
// faster than that reading. readRate() measures how fast one thread of this engine reads memory
// at all, with a bare loop of WebAssembly SIMD loads (eight v128.load per 128 bytes, or-ed into
// four accumulators: no arithmetic to wait for) over a buffer of a given size; weightBytes() says
// how many bytes of weights a workload's call reads. Plain JavaScript and WebAssembly: bench.mjs
// runs it in Node, bench/browser/page.html in Chromium.

// (func (param $bytes i32) (param $reps i32) (result i32)): reads [0, bytes) `reps` times.
function probeModule() {
  const leb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
  const section = (id, body) => [id, ...leb(body.length), ...body];
  const [bytes, reps, p] = [0, 1, 2]; // locals: the two parameters, the pointer, then a0..a3 (v128)
  const load = (v) => [0x20, 3 + (v % 4), 0x20, p, 0xfd, 0x00, 0x04, ...leb(16 * v), 0xfd, 0x50, 0x21, 3 + (v % 4)];
  const code = [
    0x02, 0x01, 0x7f, 0x04, 0x7b, //                  locals: 1 i32, 4 v128
    0x03, 0x40, //                                    loop $outer
    0x41, 0x00, 0x21, p, //                             p = 0
    0x03, 0x40, //                                      loop $l
    ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap(load), //         a[v % 4] |= load(p + 16 v), v < 8
    0x20, p, 0x41, ...leb(128), 0x6a, 0x22, p, //         p += 128
    0x20, bytes, 0x49, 0x0d, 0x00, //                     br_if $l (p < bytes)
    0x0b, //                                            end
    0x20, reps, 0x41, 0x01, 0x6b, 0x22, reps, 0x0d, 0x00, // br_if $outer (--reps)
    0x0b, //                                          end
    0x20, 3, 0x20, 4, 0xfd, 0x50, 0x20, 5, 0xfd, 0x50, 0x20, 6, 0xfd, 0x50, 0xfd, 0x1b, 0x00, // lane 0 of a0|a1|a2|a3
    0x0b,
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f]), //           type: (i32, i32) -> i32
    ...section(3, [0x01, 0x00]), //                                             one function
    ...section(5, [0x01, 0x00, 0x01]), //                                       memory, 1 page to start
    ...section(7, [0x02, 0x04, ...[0x72, 0x65, 0x61, 0x64], 0x00, 0x00, 0x03, ...[0x6d, 0x65, 0x6d], 0x02, 0x00]), // "read", "mem"
    ...section(10, [0x01, ...leb(code.length), ...code]),
  ]);
}

/**
 * One thread's read rate, in GB/s (1e9 bytes), over a buffer of `size` bytes: the fastest of 9
 * timings of about 25 ms (a bound is what the engine can do; this VM's neighbours slow some).
 */
export function readRate(size) {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(probeModule()));
  const length = Math.ceil(size / 128) * 128;
  exports.mem.grow(Math.ceil(length / 65536));
  new Uint8Array(exports.mem.buffer, 0, length).fill(1); // touched, so that no page is missing
  // The loop must read every byte: a bit set only in the last vector shows in what it returns.
  new Uint32Array(exports.mem.buffer, length - 16, 1)[0] |= 0x80000000;
  if (exports.read(length, 1) !== (0x81010101 | 0)) throw new Error('read-rate: the probe did not read its whole buffer');
  const reps = Math.max(2, Math.round(2e9 / length / 80));
  let best = 0;
  for (let i = 0; i < 11; i++) {
    const start = performance.now();
    exports.read(length, reps);
    if (i >= 2) best = Math.max(best, (length * reps) / ((performance.now() - start) * 1e6)); // the first two: V8 tiering up
  }
  return best;
}

/**
 * Bytes of weights a call of workload `w` reads: each layer's W_ih once (the input projection of
 * all steps is one matrix product, which reads it once at these sizes) and its W_hh every step.
 */
export function weightBytes(w) {
  const gates = w.kind === 'lstm' ? 4 : 3;
  let bytes = 0;
  for (let k = 0; k < w.layers; k++) bytes += 4 * gates * w.hidden * ((k ? w.hidden : w.input) + w.steps * w.hidden);
  return bytes;
}

/**
 * The read rates that bound the batch-1 workloads: over 1 MiB (W1's W_hh), and over the largest
 * batch-1 weights (W3's), at least 1 MiB (then the one measurement serves both).
 */
export function readRates(workloads) {
  const batchOne = Object.values(workloads).filter((w) => w.batch === 1).map((w) => weightBytes({ ...w, steps: 1 }));
  const largest = Math.max(1 << 20, ...batchOne);
  const small = { bytes: 1 << 20, rate: readRate(1 << 20) };
  return { small, large: largest === small.bytes ? small : { bytes: largest, rate: readRate(largest) } };
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * A sentence for the benchmark tables: the batch-1 workloads' weight bytes per call, the rate at
 * which each rnn-wasm runtime in `runs` ({ name: { W1: { ms }, ... } }) reads them, and the engine's own;
 * empty without a batch-1 workload.
 */
export function readRateLine(workloads, rates, runs) {
  const ids = Object.keys(workloads).filter((id) => workloads[id].batch === 1);
  if (ids.length === 0) return '';
  const gbs = (id, ms) => (ms ? (weightBytes(workloads[id]) / (ms * 1e6)).toFixed(0) : 'n/a');
  const ours = Object.entries(runs).filter(([, r]) => r).map(([name, r]) => `${name} ${ids.map((id) => `${id} ${gbs(id, r[id]?.ms)}`).join(', ')}`);
  return `Batch 1 reads every weight at every step (${ids.map((id) => `${id} ${mb(weightBytes(workloads[id]))} per call`).join(', ')}), ` +
    `at these rates in GB/s (a lower bound: the time also holds the arithmetic): ${ours.join('; ')}. ` +
    `One thread of this engine reads ${rates.small.rate.toFixed(0)} GB/s over ${mb(rates.small.bytes)} and ${rates.large.rate.toFixed(0)} GB/s over ${mb(rates.large.bytes)} ` +
    'with a bare loop of WebAssembly SIMD loads (bench/read-rate.mjs), in the same run: an upper bound for any runtime at batch 1.';
}
