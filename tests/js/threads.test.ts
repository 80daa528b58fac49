// The threaded builds: any thread count gives the one-thread build's bits (each in a fresh
// process, so that each has its own pool), an idle pool never keeps Node alive, a page without
// shared memory runs one thread and says why once, and bad thread counts are refused. The rest
// of the suite runs on the threaded builds too (scripts/test.sh).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

import * as R from 'rnn-wasm';

import { flagsFor } from './support/relaxed-flags.js';
import { indexesOf, wasmFunctions } from './support/wasm-functions.js';

const script = fileURLToPath(new URL('./support/threads-run.mjs', import.meta.url));
const library = new URL('../../dist/index.js', import.meta.url).href;
// The build this Jest run loads (tests/js/setup.ts); init() has not run yet at this point.
const kernels = (process.env.RNN_WASM_BACKEND ?? 'simd').replace('-threads', '');
const threaded = kernels !== 'baseline';
const flags = flagsFor(kernels);

interface Run {
  backend: string;
  threads: number;
  digests?: Record<string, string>;
  warnings?: string[];
  error?: { code: string; message: string; isRnnError: boolean } | null;
  threadsAfter?: number;
  digest?: string;
  idleCpuMs?: number;
}

function runInChild(mode: string, options: Record<string, unknown>, v8Flags: string[] = []): Run {
  const out = execFileSync(process.execPath, [...flags, ...v8Flags, script, library, mode, JSON.stringify(options)], {
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 60_000, // 'exit' must end by itself: a pool that held Node would hang here
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'], // a refused init's error comes back in the thrown error
  });
  return JSON.parse(out) as Run;
}

(threaded ? describe : describe.skip)(`the threaded build of ${kernels}`, () => {
  test('2, 3 and 4 threads give the bits of one thread, whichever way the work is split', () => {
    const one = runInChild('digests', { backend: kernels });
    expect([one.backend, one.threads]).toEqual([kernels, 1]);
    expect(Object.keys(one.digests!).length).toBe(10);
    for (const n of [2, 3, 4]) {
      const many = runInChild('digests', { backend: `${kernels}-threads`, threads: n });
      expect([many.backend, many.threads]).toEqual([`${kernels}-threads`, n]);
      expect(many.digests).toEqual(one.digests);
    }
  });

  test('a script that used 4 threads and disposed its model exits by itself', () => {
    expect(runInChild('exit', { backend: `${kernels}-threads`, threads: 4 })).toEqual({ backend: `${kernels}-threads`, threads: 4 });
  });

  test("a .wasm of one's own without a backend is taken for the one-thread build; threads then need the threaded one named", () => {
    const wasmUrl = new URL(`../../dist/wasm/rnn-${kernels}.wasm`, import.meta.url).href;
    expect(runInChild('exit', { wasmUrl })).toEqual({ backend: kernels, threads: 1 });
    expect(() => runInChild('exit', { wasmUrl, threads: 2 })).toThrow(/threads: 2 with wasmBinary or wasmUrl needs backend: 'relaxed-threads' or 'simd-threads'/);
    const threadedUrl = new URL(`../../dist/wasm/rnn-${kernels}-threads.wasm`, import.meta.url).href;
    expect(runInChild('exit', { wasmUrl: threadedUrl, backend: `${kernels}-threads`, threads: 2 })).toEqual({ backend: `${kernels}-threads`, threads: 2 });
    expect(() => runInChild('exit', { wasmUrl, backend: `${kernels}-threads`, threads: 2 })).toThrow(/this wasm is not a threaded build's/);
  });

  test('an idle pool takes no CPU: its workers park', () => {
    const run = runInChild('idle', { backend: `${kernels}-threads`, threads: 4 });
    expect(run.threads).toBe(4);
    // Parked: 0.4 ms measured. Workers that woke every millisecond to spin again took 23.5 ms.
    expect(run.idleCpuMs).toBeLessThan(10);
  });

  test('a worker thread that traps makes the call an RnnError, not a hang; the module goes on, on one thread, with the same bits', () => {
    const one = runInChild('digests', { backend: kernels });
    const run = runInChild('trap', { backend: `${kernels}-threads`, threads: 2 });
    expect(run.threads).toBe(2);
    expect(run.error).toEqual({ code: 'worker', message: expect.stringMatching(/worker thread failed/), isRnnError: true });
    expect(run.threadsAfter).toBe(1);
    expect(run.digests).toEqual(one.digests);
  });

  // Node 20's V8 once made a worker read garbage on such first calls when the caller and callee
  // of a call were compiled by different tiers (--no-wasm-dynamic-tiering tiers everything up in
  // the background, while the workers run: 28 of 40 runs failed before the unit projection went
  // through a struct, cpp/cells/cell_base.h's UnitStep). Fresh processes, as each has new code.
  test('first calls of a streaming classifier while V8 tiers the code up: the bits of one thread, every time', () => {
    const one = runInChild('first-calls', { backend: kernels });
    for (let i = 0; i < 8; i++) {
      const run = runInChild('first-calls', { backend: `${kernels}-threads`, threads: 2 }, ['--no-wasm-dynamic-tiering']);
      expect([run.threads, run.digest]).toEqual([2, one.digest]);
    }
  });

  // Node 20's baseline compiler (Liftoff) loses values a function keeps in registers across a
  // memory.atomic.wait32 (cpp/parallel/pool.cpp, wait32): before the pool kept its wait in a
  // function of its own, changes to the pool that were right natively gave wrong rows, hangs or
  // traps here, with --liftoff-only or the default tiering, never with --no-liftoff.
  test('every memory.atomic.wait32 is the last instruction of its function: nothing after it uses a value from before', () => {
    const wasm = new Uint8Array(readFileSync(new URL(`../../dist/wasm/rnn-${kernels}-threads.wasm`, import.meta.url)));
    const { bodies, start } = wasmFunctions(wasm);
    // memory.atomic.wait32: 0xfe 0x01, its alignment (4 bytes: 2), then its offset (a LEB128).
    // These bytes could also be immediates by chance: the test then fails, to be looked at. The
    // start function (wasm-ld's memory initialisation) runs once, before any of ours.
    const waiting = bodies
      .filter((b) => b.index !== start)
      .map((b) => ({ ...b, waits: indexesOf(b.bytes, [0xfe, 0x01, 0x02]) }))
      .filter((b) => b.waits.length > 0);
    expect(waiting.length).toBeGreaterThan(0);
    // After each wait: only the end of the function, perhaps after a drop.
    const last = ({ bytes, waits }: { bytes: Uint8Array; waits: number[] }) =>
      waits.every((i) => {
        let after = i + 3;
        while (bytes[after] & 0x80) after++; // the offset's LEB128 bytes
        const rest = Array.from(bytes.subarray(after + 1)).join(' ');
        return rest === '11' || rest === '26 11'; // end (0x0b), or drop (0x1a) and end
      });
    expect(waiting.filter((b) => !last(b)).map((b) => b.index)).toEqual([]);
  });

  test('on V8 baseline code alone (--liftoff-only): 2 and 4 threads give the bits of one thread, in fresh processes', () => {
    const one = runInChild('digests', { backend: kernels });
    for (let i = 0; i < 4; i++) {
      for (const n of [2, 4]) {
        const many = runInChild('digests', { backend: `${kernels}-threads`, threads: n }, ['--liftoff-only']);
        expect([many.threads, many.digests]).toEqual([n, one.digests]);
      }
    }
  });

  test("'auto' (the default) in Node: threads on as many cores as Node reports, at most 4", () => {
    const run = runInChild('exit', { backend: `${kernels}-threads` });
    expect(run.threads).toBe(Math.min(4, availableParallelism()));
  });
});

test('without shared memory (a page that is not cross-origin isolated): one thread, one warning that says why, no error', () => {
  const run = runInChild('unshared', { threads: 4 });
  expect(run.threads).toBe(1);
  expect(run.backend.endsWith('-threads')).toBe(false);
  expect(run.warnings).toHaveLength(1);
  expect(run.warnings![0]).toMatch(/threads: 4.*runs 1 thread.*SharedArrayBuffer/);
});

test("threads() says how many run in this process: 'auto' on a threaded build, else 1", () => {
  expect(R.threads()).toBe(R.backend().endsWith('-threads') ? Math.min(4, availableParallelism()) : 1);
});

test.each([[0], [1.5], [-2], [65], ['many']])('init({ threads: %p }) is an RnnError naming threads', (threads) => {
  expect(() => runInChild('exit', { threads })).toThrow(/threads must be 'auto' or an integer from 1 to 64/);
});

test('a one-thread backend with more threads asked for is an RnnError that says so', () => {
  const names = threaded ? `; ask for '${kernels}-threads'` : '';
  expect(() => runInChild('exit', { backend: kernels, threads: 2 })).toThrow(new RegExp(`backend '${kernels}' runs on one thread${names}`));
});
