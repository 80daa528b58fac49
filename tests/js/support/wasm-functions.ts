// The function bodies of a .wasm file (its code section) and its start function's index: enough
// to check what a function holds, byte for byte, without a disassembler.

export interface WasmFunctions {
  /** Index in the function index space of each body (imported functions come first). */
  bodies: { index: number; bytes: Uint8Array }[];
  start: number | undefined;
}

export function wasmFunctions(wasm: Uint8Array): WasmFunctions {
  let at = 8; // magic and version
  const leb = (): number => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = wasm[at++];
      result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
    }
  };
  const name = (): void => {
    const length = leb();
    at += length;
  };
  let imported = 0;
  let start: number | undefined;
  const bodies: WasmFunctions['bodies'] = [];
  while (at < wasm.length) {
    const id = wasm[at++];
    const size = leb();
    const end = at + size;
    if (id === 2) {
      // imports: module, name, kind, then a description whose length depends on the kind
      for (let n = leb(); n > 0; n--) {
        name();
        name();
        const kind = wasm[at++];
        if (kind === 0) {
          leb(); // type index
          imported++;
        } else if (kind === 1) {
          at++; // element type
          const flags = leb();
          leb();
          if (flags & 1) leb();
        } else if (kind === 2) {
          const flags = leb();
          leb();
          if (flags & 1) leb();
        } else if (kind === 3) {
          at += 2; // value type, mutability
        } else if (kind === 4) {
          at++; // attribute
          leb(); // type index
        }
      }
    } else if (id === 8) {
      start = leb();
    } else if (id === 10) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        const length = leb();
        bodies.push({ index: imported + i, bytes: wasm.subarray(at, at + length) });
        at += length;
      }
    }
    at = end;
  }
  return { bodies, start };
}

/** Where `pattern`'s bytes start in `bytes` (an opcode, or by chance an immediate's bytes). */
export function indexesOf(bytes: Uint8Array, pattern: number[]): number[] {
  const found: number[] = [];
  outer: for (let i = 0; i + pattern.length <= bytes.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (bytes[i + j] !== pattern[j]) continue outer;
    found.push(i);
  }
  return found;
}
