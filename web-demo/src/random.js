// Seeded randomness for the training runs, so a run can be repeated exactly.

/** mulberry32 (Tommy Ettinger): a small 32-bit generator; returns numbers in [0, 1). */
export function makeRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of a copy of `items`. */
export function shuffled(items, random) {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Endless batches of `size` items: each pass over `items` in a new shuffled order. */
export function* shuffledBatches(items, size, random) {
  let order = [];
  for (;;) {
    const batch = [];
    while (batch.length < size) {
      if (order.length === 0) order = shuffled(items, random);
      batch.push(order.pop());
    }
    yield batch;
  }
}
