/**
 * What went wrong, as a stable string to branch on:
 * - `shape`: a tensor has the wrong rank or size for the call
 * - `weights`: a state dict or weight file is missing, malformed or the wrong shape
 * - `argument`: an option or value is out of range (sizes, token ids, names)
 * - `disposed`: an object was used after `dispose()`
 * - `memory`: the wasm heap could not grow
 * - `worker`: fit's worker, or a worker thread of a threaded build, could not start or failed
 */
export type RnnErrorCode = 'shape' | 'weights' | 'argument' | 'disposed' | 'memory' | 'worker';

/**
 * The one error type rnn-wasm throws. The message names the object, what was expected and
 * what came; the module keeps working after any RnnError.
 *
 * @example
 * try { cell.forward(x); } catch (e) { if (e instanceof RnnError && e.code === 'shape') console.log(e.message); }
 */
export class RnnError extends Error {
  readonly code: RnnErrorCode;

  constructor(code: RnnErrorCode, message: string) {
    super(message);
    this.name = 'RnnError';
    this.code = code;
  }
}
