// Types for the threaded builds' Emscripten glue (built with -pthread from cpp/bindings/ into
// dist/wasm/rnn-threads.mjs; the same for both threaded builds).
import type { RawModule } from '../raw.js';

export interface ThreadedGlueOptions {
  wasmMemory: WebAssembly.Memory;
  instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void): object;
}

declare const createRnnModule: (options: ThreadedGlueOptions) => Promise<RawModule>;
export default createRnnModule;
