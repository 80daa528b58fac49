// What a child `node` needs on its command line to run a build: V8 before 11.4 (Node 20)
// validates relaxed SIMD only with --experimental-wasm-relaxed-simd; later V8 (Node 22, 24) runs it
// by default, and Node 24 refuses the flag ('bad option').
const [major, minor] = process.versions.v8.split('.').map(Number);

/** Whether this engine runs relaxed SIMD only behind the flag. */
export const relaxedSimdNeedsFlag = major < 11 || (major === 11 && minor < 4);

/** The flags for a child `node` that loads the build (or kernels) named, e.g. 'relaxed-threads'. */
export function flagsFor(build: string): string[] {
  return build.startsWith('relaxed') && relaxedSimdNeedsFlag ? ['--experimental-wasm-relaxed-simd'] : [];
}
