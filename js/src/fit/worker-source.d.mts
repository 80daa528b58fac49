// dist/fit/worker-source.mjs, written by scripts/bundle-worker.mjs: fit()'s worker and the
// library, bundled into one classic script, as a string.
declare const source: string;
export default source;
