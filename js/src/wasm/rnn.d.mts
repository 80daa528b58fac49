// Types for the Emscripten glue (built from cpp/bindings/embind.cpp into dist/wasm/rnn.mjs; the
// same for both builds, which differ only in their .wasm).
import type { RawModule } from '../raw.js';

declare const createRnnModule: (options: { wasmBinary: ArrayBuffer | Uint8Array }) => Promise<RawModule>;
export default createRnnModule;
