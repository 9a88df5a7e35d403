/** Byte-string helpers shared by the tokenizers, the backends and completions. */

/** The parts one after another, in a new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function startsWithBytes(bytes: Uint8Array, start: Uint8Array): boolean {
  return bytes.length >= start.length && start.every((b, i) => bytes[i] === b);
}

/** Bytes as a string, one character per byte: a map key that tells byte sequences apart exactly. */
export function bytesKey(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}
