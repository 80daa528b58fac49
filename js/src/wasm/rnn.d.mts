// Types for the Emscripten glue (built from cpp/bindings/ into dist/wasm/rnn.mjs; the same for
// every build, which differ only in their .wasm).
import type { RawModule } from '../raw.js';

/** Either the wasm's bytes, or (the threaded builds) a shared memory and the compiled module's instantiation. */
export type GlueOptions = { wasmBinary: ArrayBuffer | Uint8Array } | {
  wasmMemory: WebAssembly.Memory;
  instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void): object;
};

declare const createRnnModule: (options: GlueOptions) => Promise<RawModule>;
export default createRnnModule;
