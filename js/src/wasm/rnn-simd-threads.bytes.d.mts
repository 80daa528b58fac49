// Types for the embedded wasm (written into dist/wasm/ by scripts/embed-wasm.mjs).

/** The .wasm file's bytes, gzip-compressed, then base64-encoded. */
declare const gzipBase64: string;
export default gzipBase64;
