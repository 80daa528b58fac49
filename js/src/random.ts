// One seeded generator for everything random the library does on the JavaScript side: sampling
// tokens, shuffling training data, seeding dropout. Its whole state is one 32-bit number, so a
// checkpoint can carry it and a resumed run draws exactly what the uninterrupted one would.
import { RnnError } from './errors.js';
import { preview } from './tensor.js';

const MAX_UINT32 = 0xffffffff;

function checkUint32(value: unknown, what: string): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_UINT32)) {
    throw new RnnError('argument', `Random: ${what} must be an integer in [0, 2^32), got ${preview(value)}`);
  }
  return value;
}

/**
 * A seeded generator (mulberry32, Tommy Ettinger): small, fast, and its state is one 32-bit
 * integer (`state`), which checkpoints save and restore.
 *
 * @example
 * const rng = new Random(42);
 * rng.shuffle([1, 2, 3, 4]); const saved = rng.state; // later: rng.state = saved
 */
export class Random {
  #state: number;

  /** `seed`: an integer in [0, 2^32). */
  constructor(seed: number) {
    this.#state = checkUint32(seed, 'seed');
  }

  /** The generator's state; assign a saved one to continue from there. */
  get state(): number {
    return this.#state;
  }

  set state(value: number) {
    this.#state = checkUint32(value, 'state');
  }

  /** A uniform integer in [0, 2^32). */
  uint32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
