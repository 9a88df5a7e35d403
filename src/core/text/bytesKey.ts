/** Bytes as a string, one character per byte: a map key that tells byte sequences apart exactly. */
export function bytesKey(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}
