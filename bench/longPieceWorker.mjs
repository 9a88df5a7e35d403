// Child process of longPiece.mjs: times one call per (piece kind, size) on a single pre-tokenizer piece.
// Announces each call before making it, so the parent can stop a call that runs past the cap.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadEncoder, TOKENWISE } from './libs.mjs';
import { compareIds } from './verify.mjs';

const { lib, encoding, items, idsDir, capMs } = JSON.parse(process.argv[2]);

/** Deterministic lowercase letters (mulberry32): one long word, no spaces, no case changes. */
function letters(n) {
  let s = 0x9e3779b9;
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    out[i] = String.fromCharCode(97 + (((t ^ (t >>> 14)) >>> 0) % 26));
  }
  return out.join('');
}
const make = { 'a…a': (n) => 'a'.repeat(n), '=…=': (n) => '='.repeat(n), 'random letters': letters };

const encode = await loadEncoder(lib, encoding);
for (const k of Object.keys(make)) await encode(make[k](1000));
process.send({ type: 'ready' });

// ns per char of the last call per kind: a bigger size that would take 3× the cap even at that rate
// (a lower bound for anything superlinear) is skipped rather than run until stopped. Closer calls run.
const rate = new Map();
for (const { kind, size } of items) {
  const projectedMs = (rate.get(kind) ?? 0) * size;
  if (projectedMs > 3 * capMs) {
    process.send({ type: 'result', kind, size, skipped: true, projectedMs });
    continue;
  }
  const text = make[kind](size);
  process.send({ type: 'start', kind, size });
  const t0 = performance.now();
  const ids = await encode(text);
  const ms = performance.now() - t0;
  rate.set(kind, ms / size);
  const file = `${idsDir}/long.${encoding}.${kind.replace(/\W/g, '_')}.${size}.u32`;
  let check;
  if (lib === TOKENWISE) writeFileSync(file, Uint32Array.from(ids));
  else if (existsSync(file)) {
    const b = readFileSync(file);
    check = await compareIds(encoding, text, ids, new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)));
  }
  process.send({ type: 'result', kind, size, ms, tokens: ids.length, check });
}
