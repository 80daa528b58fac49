// Rewrites clang 14's early relaxed-SIMD multiply-add (f32x4.relaxed_fma, 0xfd 0xaf 0x01) into the
// final f32x4.relaxed_madd (0xfd 0x85 0x02), in place, in a .wasm file or in the wasm a
// SINGLE_FILE .cjs carries as base64: Debian's clang 14 emits only the early opcode, which
// engines reject (cpp/kernels/simd_util.h's madd_f32x4 gives the operands in the final order).
// Both encodings are 3 bytes, so no size or offset changes. To be sure every byte sequence
// rewritten is an instruction, not part of a constant, the count must equal the number of
// relaxed_fma instructions binaryen's wasm-dis finds, and no other relaxed instruction may be
// there; the result must validate (run with node --experimental-wasm-relaxed-simd).
//   node --experimental-wasm-relaxed-simd scripts/relaxed-opcodes.mjs <file.wasm | file.cjs> ...
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EARLY = [0xfd, 0xaf, 0x01];
const FINAL = [0xfd, 0x85, 0x02];

function fail(file, message) {
  console.error(`relaxed-opcodes: ${file}: ${message}`);
  process.exit(1);
}

/** Offsets of the early opcode in `bytes`. */
function occurrences(bytes) {
  const found = [];
  for (let i = bytes.indexOf(EARLY[0]); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(EARLY[0], i + 1)) {
    if (bytes[i + 1] === EARLY[1] && bytes[i + 2] === EARLY[2]) found.push(i);
  }
  return found;
}

/** The relaxed instructions binaryen's disassembler finds, by name. */
function relaxedInstructions(bytes) {
  const dir = mkdtempSync(join(tmpdir(), 'relaxed-'));
  try {
    writeFileSync(join(dir, 'm.wasm'), bytes);
    const text = execFileSync('wasm-dis', [join(dir, 'm.wasm')], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const counts = {};
    for (const [name] of text.matchAll(/\b[if]\d+x\d+\.relaxed_\w+/g)) counts[name] = (counts[name] ?? 0) + 1;
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function rewrite(bytes, file) {
  const at = occurrences(bytes);
  const found = relaxedInstructions(bytes);
  const others = Object.keys(found).filter((n) => n !== 'f32x4.relaxed_fma');
  if (others.length) fail(file, `holds ${others.join(', ')}, which this script does not rewrite`);
  if (at.length !== (found['f32x4.relaxed_fma'] ?? 0)) fail(file, `${at.length} byte sequences 0xfd 0xaf 0x01 but ${found['f32x4.relaxed_fma'] ?? 0} relaxed_fma instructions`);
  for (const i of at) bytes.set(FINAL, i);
  if (!WebAssembly.validate(bytes)) fail(file, 'does not validate after the rewrite (run with node --experimental-wasm-relaxed-simd)');
  return at.length;
}

const DATA_URI = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/;
for (const file of process.argv.slice(2)) {
  let count;
  if (file.endsWith('.wasm')) {
    const bytes = new Uint8Array(readFileSync(file));
    count = rewrite(bytes, file);
    writeFileSync(file, bytes);
  } else {
    const text = readFileSync(file, 'utf8');
    const match = DATA_URI.exec(text);
    if (!match) fail(file, 'holds no base64 wasm (build it with -sSINGLE_FILE=1)');
    const bytes = new Uint8Array(Buffer.from(match[1], 'base64'));
    count = rewrite(bytes, file);
    writeFileSync(file, text.replace(match[1], Buffer.from(bytes).toString('base64')));
  }
  console.log(`relaxed-opcodes: ${file}: ${count} multiply-adds now f32x4.relaxed_madd`);
}
