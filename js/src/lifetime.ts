// The declarations name Symbol.dispose (for `using`): this makes a user's TypeScript (5.2+) load
// its type whatever their "lib" setting, instead of failing in our .d.ts.
/// <reference lib="esnext.disposable" preserve="true" />
// Ownership of wasm memory. Every object that owns memory in wasm derives from WasmObject:
// dispose() frees it, a second dispose() does nothing, and any later use throws RnnError
// 'disposed'. A FinalizationRegistry frees objects that were forgotten, and says so once;
// correctness never depends on it.
import { RnnError } from './errors.js';
import { wasm } from './init.js';
import type { Handle } from './raw.js';

let live = 0;
let warnedAboutLeak = false;

const finalizer = new FinalizationRegistry<Handle>((handle) => {
  live--;
  wasm()._objectDelete(handle);
  if (!warnedAboutLeak) {
    warnedAboutLeak = true;
    console.warn('rnn-wasm: an object was garbage-collected without dispose(); its wasm memory was freed late. Call dispose() (or `using`) when done.');
  }
});

// Symbol.dispose where the runtime has it (Node 20+, recent browsers); a registered symbol elsewhere.
export const disposeSymbol: typeof Symbol.dispose = (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

/**
 * How many objects that own wasm memory are alive (created and not yet disposed).
 *
 * @example
 * const cell = new GRUCell({ inputSize: 2, hiddenSize: 3 }); cell.dispose();
 * console.log(liveObjectCount()); // 0
 */
export function liveObjectCount(): number {
  return live;
}

export abstract class WasmObject {
  #handle: Handle | undefined;
  /** The PyTorch class name, used in messages. */
  abstract readonly typeName: string;

  protected constructor(handle: Handle) {
    this.#handle = handle;
    live++;
    finalizer.register(this, handle, this);
  }

  /** The wasm handle; throws RnnError 'disposed' after dispose(). `what` names the call. */
  protected handle(what: string): Handle {
    if (this.#handle === undefined) {
      throw new RnnError('disposed', `${this.typeName}.${what}: this ${this.typeName} was disposed`);
    }
    return this.#handle;
  }

  /** @internal The wasm handle, for calls that take several objects (optimizers). */
  rawHandle(what: string): Handle {
    return this.handle(what);
  }

  /** True after dispose(). */
  isDisposed(): boolean {
    return this.#handle === undefined;
  }

  /** Frees the wasm memory now. Later calls throw RnnError 'disposed'; a second dispose() does nothing. */
  dispose(): void {
    if (this.#handle === undefined) return;
    finalizer.unregister(this);
    wasm()._objectDelete(this.#handle);
    this.#handle = undefined;
    live--;
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}
